//! Serves a sandbox on a free loopback port and writes a kubeconfig for it:
//! `cargo run -p fluxtui-sandbox --example serve -- /tmp/sandbox.kubeconfig`, then
//! `KUBECONFIG=/tmp/sandbox.kubeconfig kubectl get ns`. Ctrl-C stops it.

use fluxtui_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "sandbox.kubeconfig".to_string());
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    sandbox.write_kubeconfig(std::path::Path::new(&path), None)?;
    println!("serving on {}; export KUBECONFIG={path}", sandbox.url());
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
