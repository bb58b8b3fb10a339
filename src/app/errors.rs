//! The error and panic hooks, installed once at start-up before anything else runs.

use color_eyre::config::HookBuilder;
use std::io::IsTerminal;

use crate::app::terminal;

/// Installs color-eyre's report handler and a panic hook that restores the terminal before printing.
///
/// The terminal comes first because a panic report printed into raw mode on the alternate screen is lost the
/// moment the screen is switched back, and leaves the user's shell unusable.
pub fn install_hooks() -> color_eyre::Result<()> {
    // An error is something the user can act on (a port in use, a bad path): its causes say it, and
    // a source location in our code would only be noise. color-eyre configures both hooks from one
    // builder, so the panic hook below adds the location back: a panic is a bug, and there it matters.
    let mut builder = HookBuilder::default().display_location_section(false).display_env_section(false);
    // Colors only where a person reads them: not in pipes and CI logs, and never with NO_COLOR.
    if !std::io::stderr().is_terminal() || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        builder = builder.theme(color_eyre::config::Theme::new());
    }
    let (panic_hook, eyre_hook) = builder.into_hooks();
    eyre_hook.install()?;
    std::panic::set_hook(Box::new(move |info| {
        // A failure to restore cannot be reported anywhere better than the panic report that follows.
        let _ = terminal::restore();
        // The log file keeps the panic even when stderr is gone (a TUI started from a desktop launcher).
        tracing::error!(panic = %info, "fluxtui panicked");
        eprintln!("{}", panic_hook.panic_report(info));
        if let Some(location) = info.location() {
            eprintln!("at {location}; set RUST_BACKTRACE=1 for a backtrace");
        }
    }));
    Ok(())
}
