//! The table panes and their tabs: which kinds each shows and with which columns.

use crate::api::FluxKind;
use crate::model::Column;

/// A table pane. Panes that show several kinds have tabs: the first tab shows all of them with a KIND column,
/// the others one kind each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// Every Flux object of every kind: the default view.
    All,
    Sources,
    Kustomizations,
    HelmReleases,
    Notifications,
    ImageAutomation,
    Favorites,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::All,
        Pane::Sources,
        Pane::Kustomizations,
        Pane::HelmReleases,
        Pane::Notifications,
        Pane::ImageAutomation,
        Pane::Favorites,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::All => "All",
            Pane::Sources => "Sources",
            Pane::Kustomizations => "Kustomizations",
            Pane::HelmReleases => "HelmReleases",
            Pane::Notifications => "Notifications",
            Pane::ImageAutomation => "Image automation",
            Pane::Favorites => "Favorites",
        }
    }

    /// The kinds the pane's first tab shows.
    pub fn kinds(self) -> &'static [FluxKind] {
        use FluxKind::*;
        match self {
            Pane::All | Pane::Favorites => &FluxKind::ALL,
            Pane::Sources => {
                &[GitRepository, OciRepository, HelmRepository, HelmChart, Bucket, ExternalArtifact, ArtifactGenerator]
            }
            Pane::Kustomizations => &[Kustomization],
            Pane::HelmReleases => &[HelmRelease],
            Pane::Notifications => &[Alert, Provider, Receiver],
            Pane::ImageAutomation => &[ImageRepository, ImagePolicy, ImageUpdateAutomation],
        }
    }

    /// The tabs: `None` is the tab with every kind of the pane.
    pub fn tabs(self) -> Vec<Option<FluxKind>> {
        let kinds = self.kinds();
        if kinds.len() == 1 || matches!(self, Pane::All | Pane::Favorites) {
            return vec![None];
        }
        std::iter::once(None).chain(kinds.iter().copied().map(Some)).collect()
    }

    /// The pane that lists a kind on its own (for `:ks`, `:gitrepo`...), with the tab index.
    pub fn for_kind(kind: FluxKind) -> (Pane, usize) {
        for pane in
            [Pane::Sources, Pane::Kustomizations, Pane::HelmReleases, Pane::Notifications, Pane::ImageAutomation]
        {
            if let Some(tab) = pane.tabs().iter().position(|tab| *tab == Some(kind)) {
                return (pane, tab);
            }
            if pane.kinds() == [kind] {
                return (pane, 0);
            }
        }
        (Pane::All, 0)
    }
}

/// The columns of a table showing `kinds`: `flux get`'s columns, a KIND column when several kinds share the
/// table, and the two times.
pub fn columns(kinds: &[FluxKind], all_namespaces: bool) -> Vec<Column> {
    let mut columns = Vec::with_capacity(9);
    if all_namespaces {
        columns.push(Column::Namespace);
    }
    if kinds.len() > 1 {
        columns.push(Column::Kind);
    }
    columns.extend([
        Column::Name,
        Column::Revision,
        Column::Suspended,
        Column::Ready,
        Column::Message,
        Column::LastReconcile,
        Column::Age,
    ]);
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_pane_of_its_own() {
        for kind in FluxKind::ALL {
            let (pane, tab) = Pane::for_kind(kind);
            assert_ne!(pane, Pane::All, "{kind}");
            let tabs = pane.tabs();
            assert!(tabs[tab] == Some(kind) || pane.kinds() == [kind]);
        }
    }
}
