//! The state of the insight screens: the object tree, the trace, the HelmRelease detail, a workload's pods, and
//! the describe/YAML of any live object. Their data is read by [`super::insight_tasks`] (run by the event loop
//! as an `Effect::Insight`) and comes back as an [`InsightResult`], matched to its screen by request number.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

use crate::api::references::ObjectReference;
use crate::controllers::kustomization::KustomizationDiff;
use crate::model::ObjectKey;
use crate::model::helm_release::{AppliedValues, SourceCheck};
use crate::model::text::StyledLine;
use crate::model::tree::{TreeNode, reference_label};
use crate::model::workload::PodRow;

/// Work for the event loop: reads of live objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsightRequest {
    /// The whole tree under a Kustomization or HelmRelease.
    Tree { root: ObjectReference, request: u64 },
    /// The object and its owners upward (ownerReferences) until one carries Flux's labels.
    TraceChain { reference: ObjectReference, request: u64 },
    /// The values of a HelmRelease's current Helm release.
    HelmRelease { reference: ObjectReference, request: u64 },
    /// The pods a workload selects, followed with a watch (one at a time) until the next `Pods` or `StopPods`.
    Pods { owner: ObjectReference, request: u64 },
    /// What reconciling a Kustomization would change now (server-side dry-run).
    Diff { namespace: String, name: String, request: u64 },
    /// The pods screen of this request is gone: stop its watch (unless a newer one replaced it already).
    StopPods { request: u64 },
}

/// What a read found.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightResult {
    Tree {
        request: u64,
        result: Result<TreeNode, String>,
    },
    /// An object of the tree read for `request` changed in the cluster (reported once; the re-read watches again).
    TreeChanged {
        request: u64,
    },
    TraceChain {
        request: u64,
        result: Result<Vec<Value>, String>,
    },
    /// The applied values, and what the cluster holds for each `valuesFrom` source.
    HelmRelease {
        request: u64,
        result: Result<AppliedValues, String>,
        sources: Vec<SourceCheck>,
    },
    /// A Kustomization's diff, or why there is none.
    Diff {
        request: u64,
        result: Result<Arc<KustomizationDiff>, String>,
    },
    /// The selector used, and the pods (again after each change the watch sees).
    Pods {
        request: u64,
        result: Result<(String, Vec<Value>), String>,
    },
}

/// The tree screen: the tree once read, and which nodes are open and selected (paths of child indexes from the
/// root; the root's path is empty).
#[derive(Debug, Clone)]
pub struct TreeView {
    pub root: ObjectReference,
    pub tree: Option<TreeNode>,
    pub error: Option<String>,
    pub loading: bool,
    pub request: u64,
    pub selected: Vec<usize>,
    pub opened: BTreeSet<Vec<usize>>,
    /// The first visible row.
    pub offset: usize,
    /// The inventories and release versions of the tree's Flux objects when it was read: when the stores show
    /// another, the tree is read again.
    pub fingerprint: String,
}

impl TreeView {
    pub fn new(root: ObjectReference, request: u64) -> TreeView {
        TreeView {
            root,
            tree: None,
            error: None,
            loading: true,
            request,
            selected: Vec::new(),
            opened: BTreeSet::new(),
            offset: 0,
            fingerprint: String::new(),
        }
    }

    pub fn title(&self) -> String {
        reference_label(&self.root)
    }

    /// The visible rows, in order: each node's path, for nodes whose ancestors are all open.
    pub fn visible(&self) -> Vec<Vec<usize>> {
        let mut rows = Vec::new();
        if let Some(tree) = &self.tree {
            self.collect_visible(tree, Vec::new(), &mut rows);
        }
        rows
    }

    fn collect_visible(&self, node: &TreeNode, path: Vec<usize>, rows: &mut Vec<Vec<usize>>) {
        let open = self.opened.contains(&path);
        rows.push(path.clone());
        if open {
            for (index, child) in node.children.iter().enumerate() {
                let mut child_path = path.clone();
                child_path.push(index);
                self.collect_visible(child, child_path, rows);
            }
        }
    }

    pub fn selected_node(&self) -> Option<&TreeNode> {
        self.tree.as_ref()?.at(&self.selected)
    }
}

/// What a text pane shows, and what it is rebuilt from when the stores change or secrets are revealed.
#[derive(Debug, Clone)]
pub enum PaneContent {
    /// The trace of an object; `chain` is the object and its owners, empty while being read.
    Trace { reference: ObjectReference, chain: Vec<Arc<Value>> },
    /// A HelmRelease's history and values; `applied` is `None` while the release is being read.
    HelmDetails { key: ObjectKey, applied: Option<Result<AppliedValues, String>>, sources: Vec<SourceCheck> },
    /// A Kustomization's diff; `None` while it is being computed.
    Diff { key: ObjectKey, result: Option<Arc<KustomizationDiff>> },
    /// Describe (or YAML) of a live object that is not a Flux object.
    Object { reference: ObjectReference, object: Arc<Value>, yaml: bool },
}

/// A scrollable text screen (trace, HelmRelease detail, diff, live object).
#[derive(Debug, Clone)]
pub struct TextPane {
    pub title: String,
    pub content: PaneContent,
    pub lines: Vec<StyledLine>,
    pub scroll: usize,
    pub horizontal_scroll: usize,
    pub wrap: bool,
    pub reveal: bool,
    pub request: u64,
    /// The read failed: the message replaces the text.
    pub error: Option<String>,
}

impl TextPane {
    pub fn new(title: String, content: PaneContent, request: u64) -> TextPane {
        TextPane {
            title,
            content,
            lines: Vec::new(),
            scroll: 0,
            horizontal_scroll: 0,
            wrap: false,
            reveal: false,
            request,
            error: None,
        }
    }
}

/// A workload's pods.
#[derive(Debug, Clone)]
pub struct PodsView {
    pub owner: ObjectReference,
    pub selector: String,
    pub pods: Vec<Arc<Value>>,
    pub rows: Vec<PodRow>,
    pub selected: usize,
    pub offset: usize,
    pub loading: bool,
    pub error: Option<String>,
    pub request: u64,
}

impl PodsView {
    pub fn new(owner: ObjectReference, request: u64) -> PodsView {
        PodsView {
            owner,
            selector: String::new(),
            pods: Vec::new(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            loading: true,
            error: None,
            request,
        }
    }
}
