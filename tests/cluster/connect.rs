//! Connecting from kubeconfigs: contexts, tokens over TLS, token files, exec plugins, proxy-url and
//! tls-server-name.

use std::sync::{Arc, Mutex};

use fluxtui::cluster::{ClusterError, ConnectionState, connect, contexts};
use fluxtui_sandbox::SandboxConfig;
use fluxtui_testkit::TestCluster;
use kube::config::{AuthInfo, Context, ExecConfig, Kubeconfig, NamedContext};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Watched, options, rewrite_kubeconfig};

const TOKEN: &str = "s3cret-token";

async fn token_cluster() -> TestCluster {
    TestCluster::start_with(SandboxConfig { token: Some(TOKEN.into()), ..SandboxConfig::default() }).await
}

/// Starts a session and waits until the server answered it (the namespace list proves the credentials work).
async fn assert_connects(kubeconfig: &std::path::Path, context: Option<&str>) -> Watched {
    let mut watched = Watched::start(&options(kubeconfig, context), None).await;
    watched.wait_for_connection(|state| *state == ConnectionState::Connected).await;
    watched.wait_until("the namespaces", |watched| watched.namespaces().is_some()).await;
    watched
}

async fn assert_disconnected(kubeconfig: &std::path::Path) -> String {
    let mut watched = Watched::start(&options(kubeconfig, None), None).await;
    match watched.wait_for_connection(|state| matches!(state, ConnectionState::Disconnected { .. })).await {
        ConnectionState::Disconnected { error } => error,
        _ => unreachable!("waited for Disconnected"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_token_files_and_exec_plugins_authenticate_over_tls() {
    let cluster = token_cluster().await;
    assert!(cluster.url().starts_with("https://"));
    assert_connects(cluster.kubeconfig_path(), None).await;

    let dir = cluster.dir();
    let token_file = dir.join("token");
    std::fs::write(&token_file, TOKEN).expect("write the token file");
    let with_file = rewrite_kubeconfig(cluster.kubeconfig_path(), &dir.join("token-file.kubeconfig"), |config| {
        config.auth_infos[0].auth_info =
            Some(AuthInfo { token_file: Some(token_file.display().to_string()), ..AuthInfo::default() });
    });
    assert_connects(&with_file, None).await;

    let plugin = dir.join("credential-plugin");
    let credential = format!(
        r#"{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"{TOKEN}"}}}}"#
    );
    std::fs::write(&plugin, format!("#!/bin/sh\ncat <<'EOF'\n{credential}\nEOF\n")).expect("write the plugin");
    make_executable(&plugin);
    let with_exec = rewrite_kubeconfig(cluster.kubeconfig_path(), &dir.join("exec.kubeconfig"), |config| {
        let exec = ExecConfig {
            api_version: Some("client.authentication.k8s.io/v1".into()),
            command: Some(plugin.display().to_string()),
            ..ExecConfig::default()
        };
        config.auth_infos[0].auth_info = Some(AuthInfo { exec: Some(exec), ..AuthInfo::default() });
    });
    assert_connects(&with_exec, None).await;

    let wrong = dir.join("wrong.kubeconfig");
    let text = std::fs::read_to_string(cluster.kubeconfig_path()).expect("read the kubeconfig");
    std::fs::write(&wrong, text.replace(TOKEN, "not-the-token")).expect("write the kubeconfig");
    let error = assert_disconnected(&wrong).await;
    assert!(error.contains("Unauthorized"), "{error}");
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod the plugin");
}

/// A loopback HTTP CONNECT proxy that records each CONNECT target and then relays bytes both ways.
async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
    let url = format!("http://{}", listener.local_addr().expect("proxy address"));
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = targets.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let Some(target) = head.strip_prefix("CONNECT ").and_then(|rest| rest.split_whitespace().next()) else {
                    let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n").await;
                    return;
                };
                seen.lock().expect("lock").push(target.to_string());
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                if client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.is_ok() {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (url, targets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_url_tunnels_through_an_http_connect_proxy() {
    let cluster = token_cluster().await;
    let (proxy, targets) = connect_proxy().await;
    let kubeconfig = rewrite_kubeconfig(cluster.kubeconfig_path(), &cluster.dir().join("proxy.kubeconfig"), |config| {
        if let Some(cluster) = config.clusters[0].cluster.as_mut() {
            cluster.proxy_url = Some(proxy.clone());
        }
    });
    assert_connects(&kubeconfig, None).await;
    let expected = cluster.url().trim_start_matches("https://").to_string();
    let seen = targets.lock().expect("lock").clone();
    assert!(seen.contains(&expected), "the proxy saw {seen:?}, not a CONNECT to {expected}");
}

/// Forwards TCP from a loopback address the sandbox certificate does not name (127.0.0.2) to the sandbox.
async fn forward_from_unnamed_address(target: std::net::SocketAddr) -> String {
    let listener = TcpListener::bind("127.0.0.2:0").await.expect("bind 127.0.0.2 (Linux routes all of 127/8)");
    let addr = listener.local_addr().expect("forwarder address");
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut upstream) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    format!("https://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_server_name_verifies_a_server_reached_by_an_address_its_certificate_does_not_name() {
    let cluster = token_cluster().await;
    let server = forward_from_unnamed_address(cluster.addr()).await;
    let set_server = |name: Option<String>| {
        let server = server.clone();
        move |config: &mut Kubeconfig| {
            if let Some(cluster) = config.clusters[0].cluster.as_mut() {
                cluster.server = Some(server);
                cluster.tls_server_name = name;
            }
        }
    };
    let unnamed = rewrite_kubeconfig(cluster.kubeconfig_path(), &cluster.dir().join("ip.kubeconfig"), set_server(None));
    // The certificate names localhost, 127.0.0.1 and ::1 only.
    let error = assert_disconnected(&unnamed).await;
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    let named = rewrite_kubeconfig(
        cluster.kubeconfig_path(),
        &cluster.dir().join("named.kubeconfig"),
        set_server(Some("localhost".into())),
    );
    assert_connects(&named, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_are_listed_and_chosen_and_a_missing_one_is_an_error() {
    let cluster = TestCluster::start().await;
    let kubeconfig = rewrite_kubeconfig(cluster.kubeconfig_path(), &cluster.dir().join("many.kubeconfig"), |config| {
        let sandbox = config.contexts[0].clone();
        let context = sandbox.context.clone().expect("the sandbox's context");
        config.contexts.push(NamedContext {
            name: "apps".into(),
            context: Some(Context { namespace: Some("apps".into()), ..context.clone() }),
            other: Default::default(),
        });
        // The current context points at a cluster nobody serves, so connecting to it would not work.
        let mut dead = config.clusters[0].clone();
        dead.name = "dead".into();
        if let Some(cluster) = dead.cluster.as_mut() {
            cluster.server = Some("http://127.0.0.1:9".into());
        }
        config.clusters.push(dead);
        config.contexts.push(NamedContext {
            name: "dead".into(),
            context: Some(Context { cluster: "dead".into(), namespace: None, ..context }),
            other: Default::default(),
        });
        config.current_context = Some("dead".into());
    });

    let listed = contexts(&options(&kubeconfig, None)).expect("list the contexts");
    let summary: Vec<_> =
        listed.iter().map(|c| (c.name.as_str(), c.cluster.as_str(), c.namespace.as_deref(), c.current)).collect();
    assert_eq!(
        summary,
        [
            ("fluxtui-sandbox", "fluxtui-sandbox", Some("default"), false),
            ("apps", "fluxtui-sandbox", Some("apps"), false),
            ("dead", "dead", None, true),
        ]
    );

    let connection = connect(&options(&kubeconfig, Some("apps"))).await.expect("connect to the apps context");
    assert_eq!(connection.context_name(), "apps");
    assert_eq!(connection.default_namespace(), "apps");
    assert_eq!(connection.cluster_url().trim_end_matches('/'), cluster.url());
    let current = connect(&options(&kubeconfig, None)).await.expect("connect to the current context");
    assert_eq!((current.context_name(), current.default_namespace()), ("dead", "default"));
    assert_connects(&kubeconfig, Some("apps")).await;

    match connect(&options(&kubeconfig, Some("nope"))).await {
        Err(ClusterError::ContextNotFound { name, available }) => {
            assert_eq!(name, "nope");
            assert_eq!(available, ["fluxtui-sandbox", "apps", "dead"]);
        }
        other => panic!("expected ContextNotFound, got {other:?}"),
    }
    let missing = cluster.dir().join("no-such-kubeconfig");
    assert!(matches!(
        connect(&options(&missing, None)).await,
        Err(ClusterError::KubeconfigNotFound { paths }) if paths == [missing.clone()]
    ));
    assert!(matches!(contexts(&options(&missing, None)), Err(ClusterError::KubeconfigNotFound { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_session_stops_its_watches() {
    let cluster = TestCluster::start().await;
    let mut watched = assert_connects(cluster.kubeconfig_path(), None).await;
    watched.session.shutdown();
    // With every task aborted, the sender clones they held are gone: the channel closes.
    let closed =
        tokio::time::timeout(crate::support::DEADLINE, async { while watched.next_event().await.is_some() {} }).await;
    assert!(closed.is_ok(), "the session's tasks still hold the event channel after shutdown");
}
