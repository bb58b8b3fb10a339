//! The Flux kinds fluxtui knows: their API group, plural, short names and the versions Flux has served.

use std::fmt;

/// Which pane family a kind belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KindFamily {
    Source,
    Kustomization,
    HelmRelease,
    Notification,
    ImageAutomation,
}

/// Every Flux kind in the v2.9 CRDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FluxKind {
    GitRepository,
    OciRepository,
    HelmRepository,
    HelmChart,
    Bucket,
    ExternalArtifact,
    ArtifactGenerator,
    Kustomization,
    HelmRelease,
    Alert,
    Provider,
    Receiver,
    ImageRepository,
    ImagePolicy,
    ImageUpdateAutomation,
}

impl FluxKind {
    /// Every kind, in the order panes list them.
    pub const ALL: [FluxKind; 15] = [
        FluxKind::GitRepository,
        FluxKind::OciRepository,
        FluxKind::HelmRepository,
        FluxKind::HelmChart,
        FluxKind::Bucket,
        FluxKind::ExternalArtifact,
        FluxKind::ArtifactGenerator,
        FluxKind::Kustomization,
        FluxKind::HelmRelease,
        FluxKind::Alert,
        FluxKind::Provider,
        FluxKind::Receiver,
        FluxKind::ImageRepository,
        FluxKind::ImagePolicy,
        FluxKind::ImageUpdateAutomation,
    ];

    /// The kind as the API spells it (`OCIRepository`, not `OciRepository`).
    pub fn name(self) -> &'static str {
        match self {
            FluxKind::GitRepository => "GitRepository",
            FluxKind::OciRepository => "OCIRepository",
            FluxKind::HelmRepository => "HelmRepository",
            FluxKind::HelmChart => "HelmChart",
            FluxKind::Bucket => "Bucket",
            FluxKind::ExternalArtifact => "ExternalArtifact",
            FluxKind::ArtifactGenerator => "ArtifactGenerator",
            FluxKind::Kustomization => "Kustomization",
            FluxKind::HelmRelease => "HelmRelease",
            FluxKind::Alert => "Alert",
            FluxKind::Provider => "Provider",
            FluxKind::Receiver => "Receiver",
            FluxKind::ImageRepository => "ImageRepository",
            FluxKind::ImagePolicy => "ImagePolicy",
            FluxKind::ImageUpdateAutomation => "ImageUpdateAutomation",
        }
    }

    /// Looks a kind up by its API name (`kind:` field), case-sensitively as the API does.
    pub fn from_name(name: &str) -> Option<FluxKind> {
        FluxKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    pub fn group(self) -> &'static str {
        match self.family() {
            KindFamily::Source if self == FluxKind::ArtifactGenerator => "source.extensions.fluxcd.io",
            KindFamily::Source => "source.toolkit.fluxcd.io",
            KindFamily::Kustomization => "kustomize.toolkit.fluxcd.io",
            KindFamily::HelmRelease => "helm.toolkit.fluxcd.io",
            KindFamily::Notification => "notification.toolkit.fluxcd.io",
            KindFamily::ImageAutomation => "image.toolkit.fluxcd.io",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            FluxKind::GitRepository => "gitrepositories",
            FluxKind::OciRepository => "ocirepositories",
            FluxKind::HelmRepository => "helmrepositories",
            FluxKind::HelmChart => "helmcharts",
            FluxKind::Bucket => "buckets",
            FluxKind::ExternalArtifact => "externalartifacts",
            FluxKind::ArtifactGenerator => "artifactgenerators",
            FluxKind::Kustomization => "kustomizations",
            FluxKind::HelmRelease => "helmreleases",
            FluxKind::Alert => "alerts",
            FluxKind::Provider => "providers",
            FluxKind::Receiver => "receivers",
            FluxKind::ImageRepository => "imagerepositories",
            FluxKind::ImagePolicy => "imagepolicies",
            FluxKind::ImageUpdateAutomation => "imageupdateautomations",
        }
    }

    /// The CRD's short names.
    pub fn short_names(self) -> &'static [&'static str] {
        match self {
            FluxKind::GitRepository => &["gitrepo"],
            FluxKind::OciRepository => &["ocirepo"],
            FluxKind::HelmRepository => &["helmrepo"],
            FluxKind::HelmChart => &["hc"],
            FluxKind::Bucket => &[],
            FluxKind::ExternalArtifact => &["ea"],
            FluxKind::ArtifactGenerator => &["ag"],
            FluxKind::Kustomization => &["ks"],
            FluxKind::HelmRelease => &["hr"],
            FluxKind::Alert => &[],
            FluxKind::Provider => &[],
            FluxKind::Receiver => &[],
            FluxKind::ImageRepository => &["imgrepo", "imagerepo"],
            FluxKind::ImagePolicy => &["imgpol", "imagepol"],
            FluxKind::ImageUpdateAutomation => &["iua", "imgupd", "imgauto"],
        }
    }

    /// Every version Flux has served for this kind, newest first: the watcher picks the first one the cluster
    /// serves, so a cluster still on Flux v2.6 is watched through its beta versions.
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            FluxKind::GitRepository | FluxKind::HelmRepository | FluxKind::HelmChart | FluxKind::Bucket => {
                &["v1", "v1beta2", "v1beta1"]
            }
            FluxKind::OciRepository => &["v1", "v1beta2"],
            FluxKind::ExternalArtifact => &["v1"],
            FluxKind::ArtifactGenerator => &["v1beta1"],
            FluxKind::Kustomization => &["v1", "v1beta2", "v1beta1"],
            FluxKind::HelmRelease => &["v2", "v2beta2", "v2beta1"],
            FluxKind::Alert | FluxKind::Provider => &["v1beta3", "v1beta2", "v1beta1"],
            FluxKind::Receiver => &["v1", "v1beta2", "v1beta1"],
            FluxKind::ImageRepository | FluxKind::ImagePolicy | FluxKind::ImageUpdateAutomation => {
                &["v1", "v1beta2", "v1beta1"]
            }
        }
    }

    pub fn family(self) -> KindFamily {
        match self {
            FluxKind::GitRepository
            | FluxKind::OciRepository
            | FluxKind::HelmRepository
            | FluxKind::HelmChart
            | FluxKind::Bucket
            | FluxKind::ExternalArtifact
            | FluxKind::ArtifactGenerator => KindFamily::Source,
            FluxKind::Kustomization => KindFamily::Kustomization,
            FluxKind::HelmRelease => KindFamily::HelmRelease,
            FluxKind::Alert | FluxKind::Provider | FluxKind::Receiver => KindFamily::Notification,
            FluxKind::ImageRepository | FluxKind::ImagePolicy | FluxKind::ImageUpdateAutomation => {
                KindFamily::ImageAutomation
            }
        }
    }

    /// Whether objects of this kind carry `spec.suspend`.
    pub fn can_suspend(self) -> bool {
        // ExternalArtifact is written by other controllers and has nothing to suspend.
        self != FluxKind::ExternalArtifact
    }
}

impl fmt::Display for FluxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in FluxKind::ALL {
            assert_eq!(FluxKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(FluxKind::from_name("OciRepository"), None);
    }
}
