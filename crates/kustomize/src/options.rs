//! Build options: what `kubectl kustomize` takes as flags.

/// Where files (resources, patches, generator sources) may be read from (`--load-restrictor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictions {
    /// `LoadRestrictionsRootOnly`, kustomize's default: a file must sit in or below its kustomization's
    /// directory.
    #[default]
    RootOnly,
    /// `LoadRestrictionsNone`: a file may be anywhere.
    None,
}

/// The output order (`--reorder`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reorder {
    /// No flag: the top kustomization's `sortOptions`, else the legacy order.
    #[default]
    Unspecified,
    /// `--reorder legacy`.
    Legacy,
    /// `--reorder none`: the order the resources were accumulated in.
    None,
}

/// Options of a build.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub load_restrictions: LoadRestrictions,
    pub reorder: Reorder,
    /// No file or directory outside this one may be read, whatever the load restrictions (a canonical path). This
    /// is how Flux builds a source artifact: `LoadRestrictionsNone` on a file system confined to the artifact's
    /// root, so `../base` works but nothing of the host outside the artifact does.
    pub boundary: Option<std::path::PathBuf>,
    /// The text of the top directory's kustomization, used instead of its file (which need not exist): Flux
    /// generates it or writes its overrides into it, and this way the directory is only read, never written.
    pub top_kustomization: Option<String>,
}

impl BuildOptions {
    /// These options for a build of another directory (a plugin configuration directory): the top kustomization's
    /// text is the top directory's only.
    pub fn for_nested(&self) -> BuildOptions {
        BuildOptions { top_kustomization: None, ..self.clone() }
    }

    /// Reads `kubectl kustomize`'s flags (`--load-restrictor X`, `--reorder X`, with a space or `=`); other
    /// arguments are an error naming them.
    pub fn from_args<S: AsRef<str>>(args: &[S]) -> Result<BuildOptions, String> {
        let mut options = BuildOptions::default();
        let mut words: Vec<String> = Vec::new();
        for arg in args {
            match arg.as_ref().split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => words.extend([flag.to_string(), value.to_string()]),
                _ => words.push(arg.as_ref().to_string()),
            }
        }
        let mut words = words.into_iter();
        while let Some(flag) = words.next() {
            let value = words.next().ok_or_else(|| format!("flag {flag} needs a value"))?;
            match (flag.as_str(), value.as_str()) {
                ("--load-restrictor", "LoadRestrictionsRootOnly") => {
                    options.load_restrictions = LoadRestrictions::RootOnly
                }
                ("--load-restrictor", "LoadRestrictionsNone") => options.load_restrictions = LoadRestrictions::None,
                ("--reorder", "legacy") => options.reorder = Reorder::Legacy,
                ("--reorder", "none") => options.reorder = Reorder::None,
                _ => return Err(format!("unsupported flag {flag} {value}")),
            }
        }
        Ok(options)
    }

    /// Whether a file outside the kustomization's directory is refused.
    pub fn root_only(&self) -> bool {
        self.load_restrictions == LoadRestrictions::RootOnly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kubectl_flags() {
        let options =
            BuildOptions::from_args(&["--load-restrictor", "LoadRestrictionsNone", "--reorder=none"]).unwrap();
        assert_eq!(options.load_restrictions, LoadRestrictions::None);
        assert_eq!(options.reorder, Reorder::None);
        assert!(BuildOptions::from_args(&["--enable-helm"]).is_err());
    }
}
