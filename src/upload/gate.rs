//! The gate before the first change on put.io. A pass starts listing folders at once, but
//! creates no folder and sends no file until the checks that need the counting pass's
//! totals (nothing matched `--include`, more than fits) have let it through; so a run's first
//! second goes to listings, not to waiting for the count.
//!
//! It owns that one verdict and how it reaches the waiters; it never makes a check itself
//! (`upload::run` does) and never lists, creates or sends.

use tokio::sync::watch;

/// What every creation and upload of a pass waits on.
#[derive(Clone, Debug)]
pub(super) struct Gate(watch::Receiver<Option<bool>>);

/// The side that gives the verdict. Dropped without one, it shuts the gate.
#[derive(Debug)]
pub(super) struct Opener(watch::Sender<Option<bool>>);

impl Gate {
    /// A gate and its opener, shut until the opener says otherwise.
    pub(super) fn closed() -> (Opener, Gate) {
        let (tx, rx) = watch::channel(None);
        (Opener(tx), Gate(rx))
    }

    /// A gate that is open from the start (a pass that needs no check).
    pub(super) fn open() -> Gate {
        let (opener, gate) = Gate::closed();
        opener.open();
        gate
    }

    /// Waits for the verdict: `true` to go on, `false` when the pass must change nothing.
    pub(super) async fn opened(&self) -> bool {
        let mut verdict = self.0.clone();
        match verdict.wait_for(Option::is_some).await {
            Ok(verdict) => *verdict == Some(true),
            Err(_) => false, // the opener is gone without a verdict
        }
    }
}

impl Opener {
    /// Lets every waiter through, now and later.
    pub(super) fn open(&self) {
        self.0.send_replace(Some(true));
    }

    /// Tells every waiter to change nothing.
    pub(super) fn shut(&self) {
        self.0.send_replace(Some(false));
    }
}

#[cfg(test)]
mod tests {
    use super::Gate;

    #[tokio::test]
    async fn waiters_get_the_verdict_given_before_or_after_they_wait() {
        let (opener, gate) = Gate::closed();
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.opened().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the gate is shut until a verdict");
        opener.open();
        assert!(waiting.await.unwrap());
        assert!(gate.opened().await, "a later waiter passes at once");
        assert!(Gate::open().opened().await);
    }

    #[tokio::test]
    async fn shut_or_dropped_without_a_verdict_lets_nothing_through() {
        let (opener, gate) = Gate::closed();
        opener.shut();
        assert!(!gate.opened().await);
        let (opener, gate) = Gate::closed();
        drop(opener);
        assert!(!gate.opened().await);
    }
}
