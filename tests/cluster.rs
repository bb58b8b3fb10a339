//! The cluster layer against the real sandbox: connecting from kubeconfigs, discovery, the kinds' watches and
//! stores, access errors and recovering from a lost server.

#[path = "cluster/support.rs"]
mod support;

#[path = "cluster/connect.rs"]
mod connect;
#[path = "cluster/discovery.rs"]
mod discovery;
#[path = "cluster/live.rs"]
mod live;
#[path = "cluster/objects.rs"]
mod objects;
#[path = "cluster/recovery.rs"]
mod recovery;
#[path = "cluster/watch.rs"]
mod watch;
#[path = "cluster/writes.rs"]
mod writes;
