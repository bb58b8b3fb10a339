//! Keymaps: which key or chord asks for which [`Action`].
//!
//! Keymaps are YAML files (format in `keymaps/README.md`): the built-in `default` (k9s-like) and `vim` are
//! compiled in; the user's own live in `<config dir>/keymaps/` and usually `extends:` a built-in. Views never see
//! keys: the event loop hands every key to [`Keymap::resolve`] and acts on the [`KeyOutcome`]. Help, footer hints
//! and `:` completion read [`Keymap::bindings`], so what they show is always what the keys do.

mod key;
mod load;

use std::collections::{HashMap, HashSet};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

pub use key::{Key, chord_to_string, parse_chord};
pub use load::{BUILTIN_KEYMAPS, KeymapConflict, KeymapError, keymap_names, load_keymap, parse_keymap};

use crate::app::action::Action;

/// What a key press means, given the keys before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOutcome {
    /// A binding is complete: do this.
    Action(Action),
    /// The key starts (or continues) a chord such as `g g`: wait for the next key.
    Pending,
    /// Nothing is bound to this key (or to the chord it broke); the pending chord, if any, is dropped.
    Unbound,
}

/// The active key bindings and the chord typed so far.
#[derive(Debug, Clone)]
pub struct Keymap {
    name: String,
    /// Each action's chords, in the order the keymap file lists them (the first is the one hints show).
    chords: HashMap<Action, Vec<Vec<Key>>>,
    /// Every complete chord, for lookups.
    actions: HashMap<Vec<Key>, Action>,
    /// Every proper prefix of a chord (`[g]` for `g g`). Loading guarantees no prefix is also a binding, so a key
    /// never has to wait for a timeout to know what it means.
    prefixes: HashSet<Vec<Key>>,
    pending: Vec<Key>,
}

impl Keymap {
    /// Builds a keymap from bindings already checked for conflicts (see `load`).
    fn from_bindings(name: &str, bindings: Vec<(Action, Vec<Key>)>) -> Keymap {
        let mut keymap = Keymap {
            name: name.to_string(),
            chords: HashMap::new(),
            actions: HashMap::new(),
            prefixes: HashSet::new(),
            pending: Vec::new(),
        };
        for (action, chord) in bindings {
            for end in 1..chord.len() {
                keymap.prefixes.insert(chord[..end].to_vec());
            }
            keymap.actions.insert(chord.clone(), action);
            keymap.chords.entry(action).or_default().push(chord);
        }
        keymap
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Feeds one key event. Key releases (reported on Windows and with the kitty protocol) and lone modifier
    /// presses neither match nor break a chord.
    pub fn resolve(&mut self, event: KeyEvent) -> KeyOutcome {
        let waiting = if self.pending.is_empty() { KeyOutcome::Unbound } else { KeyOutcome::Pending };
        if event.kind == KeyEventKind::Release || matches!(event.code, KeyCode::Modifier(_)) {
            return waiting;
        }
        self.pending.push(Key::from(event));
        if let Some(&action) = self.actions.get(&self.pending) {
            self.pending.clear();
            return KeyOutcome::Action(action);
        }
        if self.prefixes.contains(&self.pending) {
            return KeyOutcome::Pending;
        }
        // Like vim: a key that does not continue the chord cancels it and is itself dropped, so `g` then `esc`
        // cancels rather than also going back.
        self.pending.clear();
        KeyOutcome::Unbound
    }

    /// The chord typed so far (`g`), for the footer to show while fluxtui waits for the next key.
    pub fn pending(&self) -> Option<String> {
        (!self.pending.is_empty()).then(|| chord_to_string(&self.pending))
    }

    /// Forgets a half-typed chord, for when the mode changes under it (a text input opens).
    pub fn clear_pending(&mut self) {
        self.pending.clear();
    }

    /// The keys bound to `action`, as keymap files write them (`ctrl-d`, `g g`), first the preferred one.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.chords
            .get(&action)
            .map(|chords| chords.iter().map(|chord| chord_to_string(chord)).collect())
            .unwrap_or_default()
    }

    /// Every action in [`Action::ALL`] order with its keys; an action the keymap leaves unbound has none (help
    /// still lists it: it can be reached from the `:` command line).
    pub fn bindings(&self) -> Vec<(Action, Vec<String>)> {
        Action::ALL.iter().map(|&action| (action, self.keys_for(action))).collect()
    }
}

#[cfg(test)]
mod tests;
