//! The terminal guard: puts the terminal into raw mode on the alternate screen, and puts it back on every way
//! out (a normal return, an error, a panic).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};

/// Whether this process has the terminal in raw mode on the alternate screen.
///
/// A process-wide flag rather than state owned by the app, because the panic hook must be able to restore the
/// terminal without any reference to the app, and because a restore must write nothing at all when the
/// terminal was never taken over (for example `fluxtui sandbox` piped into a file).
static TAKEN_OVER: AtomicBool = AtomicBool::new(false);

/// Owns the terminal while the UI runs; dropping it restores the terminal.
#[derive(Debug)]
pub struct TerminalGuard {
    /// Only [`TerminalGuard::enter`] makes one.
    _private: (),
}

impl TerminalGuard {
    /// Enables raw mode, switches to the alternate screen, captures the mouse and hides the cursor.
    ///
    /// If any step fails, the steps already taken are undone before the error is returned.
    pub fn enter() -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        TAKEN_OVER.store(true, Ordering::SeqCst);
        if let Err(err) = execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture, Hide) {
            // The original error matters more than a failure to undo it.
            let _ = restore();
            return Err(err);
        }
        Ok(TerminalGuard { _private: () })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // Drop cannot report an error, and the terminal is being given back either way.
        let _ = restore();
    }
}

/// Gives the terminal back: disables raw mode and mouse capture, leaves the alternate screen and shows the
/// cursor.
///
/// Safe to call at any time and any number of times: when the terminal was never taken over (or was already
/// restored) it does nothing and writes nothing. Every step is attempted even if an earlier one fails; the first
/// error is returned.
pub fn restore() -> io::Result<()> {
    if !TAKEN_OVER.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let mut stdout = io::stdout();
    let screen = execute!(stdout, DisableMouseCapture, LeaveAlternateScreen, Show);
    let flushed = stdout.flush();
    raw.and(screen).and(flushed)
}

/// Gives the terminal to a child process (the editor): raw mode off, the main screen back, the cursor shown.
/// The event loop must stop reading input first (drop its `EventStream`), or the child and crossterm's reader
/// thread would race for the keys. Undone by [`resume`]; the guard and the panic hook still restore on the way out.
pub fn suspend() -> io::Result<()> {
    restore()
}

/// Takes the terminal back after [`suspend`]: raw mode, the alternate screen, mouse capture, hidden cursor. The
/// caller redraws everything (the child painted over the screen).
pub fn resume() -> io::Result<()> {
    enable_raw_mode()?;
    TAKEN_OVER.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture, Hide)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_without_taking_over_is_a_no_op() {
        // Tests run without a terminal, so entering is not possible here; restoring must still succeed, twice.
        assert!(restore().is_ok());
        assert!(restore().is_ok());
        assert!(!TAKEN_OVER.load(Ordering::SeqCst));
    }
}
