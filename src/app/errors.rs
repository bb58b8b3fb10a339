//! The error and panic hooks, installed once at start-up before anything else runs.

use color_eyre::config::HookBuilder;

use crate::app::terminal;

/// Installs color-eyre's report handler and a panic hook that restores the terminal before printing.
///
/// The terminal comes first because a panic report printed into raw mode on the alternate screen is lost the
/// moment the screen is switched back, and leaves the user's shell unusable.
pub fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = HookBuilder::default().into_hooks();
    eyre_hook.install()?;
    std::panic::set_hook(Box::new(move |info| {
        // A failure to restore cannot be reported anywhere better than the panic report that follows.
        let _ = terminal::restore();
        // The log file keeps the panic even when stderr is gone (a TUI started from a desktop launcher).
        tracing::error!(panic = %info, "fluxtui panicked");
        eprintln!("{}", panic_hook.panic_report(info));
    }));
    Ok(())
}
