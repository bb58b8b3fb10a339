//! One key as keymap files write it and as the terminal reports it, normalised so the two compare equal.
//!
//! Syntax (keymaps/README.md): a single character is that key (`a`, `A`, `?`, `/`, `0`, `]`); named keys are
//! `enter esc tab backtab backspace delete insert up down left right pgup pgdn home end space f1`..`f12`;
//! modifiers are prefixes: `ctrl-d`, `alt-x`, `shift-up`, `ctrl-alt-x`. Shift is never written with a character:
//! `A` is shift-a and `?` is whatever the layout needs to type a question mark.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, normalised: characters carry no SHIFT (the character says it), and only CONTROL,
/// ALT and (for named keys) SHIFT are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key::from(KeyEvent::new(code, modifiers))
    }

    /// Parses one key as written in a keymap file (not a chord: see [`parse_chord`]).
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        // A lone `-` or a final `-` (as in `alt--`) is the minus key, not a separator.
        while rest.chars().count() > 1 {
            let Some((prefix, tail)) = rest.split_once('-') else { break };
            let modifier = match prefix.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" | "meta" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                _ => break,
            };
            if tail.is_empty() {
                break;
            }
            modifiers |= modifier;
            rest = tail;
        }
        let code = parse_code(rest).ok_or_else(|| format!("`{text}` is not a key"))?;
        if modifiers.contains(KeyModifiers::SHIFT) && matches!(code, KeyCode::Char(_)) {
            return Err(format!("`{text}`: write the shifted character itself (`A`, `?`), not shift-"));
        }
        Ok(Key::new(code, modifiers))
    }
}

fn parse_code(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    if let (Some(only), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(only));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(number) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        return (1..=12).contains(&number).then_some(KeyCode::F(number));
    }
    Some(match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "space" => KeyCode::Char(' '),
        _ => return None,
    })
}

/// Parses a chord: keys separated by spaces (`g g`, `ctrl-w l`).
pub fn parse_chord(text: &str) -> Result<Vec<Key>, String> {
    let keys: Vec<Key> = text.split_whitespace().map(Key::parse).collect::<Result<_, _>>()?;
    if keys.is_empty() {
        // A lone space is the space bar, which `split_whitespace` swallows.
        return if text.is_empty() { Err("an empty key".to_string()) } else { Ok(vec![Key::parse("space")?]) };
    }
    Ok(keys)
}

/// The display form of a chord, as keymap files write it.
pub fn chord_to_string(chord: &[Key]) -> String {
    chord.iter().map(Key::to_string).collect::<Vec<_>>().join(" ")
}

impl From<KeyEvent> for Key {
    /// Terminals differ in how they report shifted keys: crossterm gives `A` as Char('A') with SHIFT, `?` with or
    /// without SHIFT, and some terminals send shift-tab as Tab with SHIFT. All of those become one key here.
    fn from(event: KeyEvent) -> Key {
        let mut modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match event.code {
            KeyCode::Char(c) => {
                let shifted = modifiers.contains(KeyModifiers::SHIFT);
                modifiers.remove(KeyModifiers::SHIFT);
                // Shift with a lowercase letter (some terminals with CapsLock quirks) means the capital.
                KeyCode::Char(if shifted { c.to_ascii_uppercase() } else { c })
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, modifiers }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (modifier, prefix) in
            [(KeyModifiers::CONTROL, "ctrl-"), (KeyModifiers::ALT, "alt-"), (KeyModifiers::SHIFT, "shift-")]
        {
            if self.modifiers.contains(modifier) {
                f.write_str(prefix)?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_keys_parse_and_print_back() {
        for text in [
            "a",
            "A",
            "?",
            "/",
            ":",
            "0",
            "]",
            "-",
            "ctrl-d",
            "alt-x",
            "alt--",
            "ctrl-alt-x",
            "enter",
            "esc",
            "tab",
            "backtab",
            "up",
            "down",
            "left",
            "right",
            "pgup",
            "pgdn",
            "home",
            "end",
            "f1",
            "f12",
            "space",
            "shift-up",
        ] {
            let key = Key::parse(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(key.to_string(), text);
        }
        assert_eq!(Key::parse("Ctrl-D").map(|k| k.to_string()), Ok("ctrl-D".to_string()));
        assert_eq!(Key::parse("PageUp"), Key::parse("pgup"));
        for bad in ["", "f13", "ctrl-", "hyper-x", "shift-a", "enterr"] {
            assert!(Key::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(chord_to_string(&parse_chord("g  g").expect("a chord")), "g g");
        assert_eq!(parse_chord(" ").expect("space"), vec![Key::new(KeyCode::Char(' '), KeyModifiers::NONE)]);
    }

    #[test]
    fn shifted_events_match_their_written_keys() {
        let event = |code, modifiers| Key::from(KeyEvent::new(code, modifiers));
        let plain = |c| Key::parse(c).expect("a key");
        assert_eq!(event(KeyCode::Char('A'), KeyModifiers::SHIFT), plain("A"));
        assert_eq!(event(KeyCode::Char('A'), KeyModifiers::NONE), plain("A"));
        assert_eq!(event(KeyCode::Char('a'), KeyModifiers::SHIFT), plain("A"));
        assert_eq!(event(KeyCode::Char('?'), KeyModifiers::SHIFT), plain("?"));
        assert_eq!(event(KeyCode::Char('?'), KeyModifiers::NONE), plain("?"));
        assert_eq!(event(KeyCode::BackTab, KeyModifiers::SHIFT), plain("backtab"));
        assert_eq!(event(KeyCode::Tab, KeyModifiers::SHIFT), plain("backtab"));
        assert_eq!(event(KeyCode::Char('d'), KeyModifiers::CONTROL), plain("ctrl-d"));
        assert_eq!(event(KeyCode::Up, KeyModifiers::SHIFT), plain("shift-up"));
        assert_ne!(event(KeyCode::Up, KeyModifiers::SHIFT), plain("up"));
        // Keypad and lock-state flags do not change which key it is.
        let keypad = KeyEvent::new_with_kind_and_state(
            KeyCode::Char('j'),
            KeyModifiers::NONE,
            crossterm::event::KeyEventKind::Press,
            crossterm::event::KeyEventState::CAPS_LOCK,
        );
        assert_eq!(Key::from(keypad), plain("j"));
    }
}
