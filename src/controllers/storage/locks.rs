//! One lock per artifact owner, so that a write, a garbage collection and a removal of the same object never
//! interleave, while different objects proceed in parallel.
//!
//! The set holds only the owners locked right now (a key leaves it when its guard drops), so its memory is
//! bounded by the number of writers, not by the number of objects ever stored. The locks are in-process: one
//! engine owns a storage directory (leader election keeps a second engine from reconciling, and so from
//! writing, at the same time).

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// The owners (by relative directory) locked at the moment, and the condition waiters sleep on.
#[derive(Debug, Default)]
pub struct OwnerLocks {
    held: Mutex<HashSet<String>>,
    released: Condvar,
}

/// Holds one owner's lock until dropped.
#[derive(Debug)]
pub struct OwnerGuard<'a> {
    locks: &'a OwnerLocks,
    key: String,
}

impl OwnerLocks {
    /// Blocks until no one else holds `key`, then holds it.
    pub fn lock(&self, key: &str) -> OwnerGuard<'_> {
        let mut held = self.held_set();
        while held.contains(key) {
            held = self.released.wait(held).unwrap_or_else(PoisonError::into_inner);
        }
        held.insert(key.to_string());
        OwnerGuard { locks: self, key: key.to_string() }
    }

    /// How many owners are locked right now.
    pub fn held_count(&self) -> usize {
        self.held_set().len()
    }

    // The set stays consistent even if a holder panicked (a panic never leaves it half-updated: every change is
    // one insert or one remove), so a poisoned mutex is used as it is.
    fn held_set(&self) -> MutexGuard<'_, HashSet<String>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for OwnerGuard<'_> {
    fn drop(&mut self) {
        self.locks.held_set().remove(&self.key);
        self.locks.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::Duration;

    use super::*;

    #[test]
    fn one_holder_per_owner_at_a_time() {
        let locks = Arc::new(OwnerLocks::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (locks, inside, most) = (locks.clone(), inside.clone(), most.clone());
                thread::spawn(move || {
                    for _ in 0..20 {
                        let _guard = locks.lock("gitrepository/ns/a");
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::sleep(Duration::from_micros(200));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert_eq!(locks.held_count(), 0, "released keys must leave the set");
    }

    #[test]
    fn different_owners_do_not_wait_for_each_other() {
        let locks = OwnerLocks::default();
        let _a = locks.lock("a");
        let _b = locks.lock("b");
        assert_eq!(locks.held_count(), 2);
    }
}
