//! [`Memo`]: a few answers kept by their question, the oldest out — for answers that are a
//! function of the question (decoding a certificate from its octets, building path
//! validation's environment from its trust anchors), where finding one among the few kept
//! costs less than working it out again. The same certificates recur in every operation of
//! a user: their own in every signature, a correspondent's in every message, the trust
//! anchors in every validation.

/// At most `capacity` (question, answer) pairs, oldest first.
#[derive(Debug)]
pub struct Memo<Q, A> {
    entries: Vec<(Q, A)>,
    capacity: usize,
}

impl<Q, A> Memo<Q, A> {
    /// An empty memo that keeps at most `capacity` pairs.
    pub const fn new(capacity: usize) -> Self {
        Memo {
            entries: Vec::new(),
            capacity,
        }
    }

    /// The first pair kept that `matches`.
    pub fn find(&self, matches: impl Fn(&Q, &A) -> bool) -> Option<&(Q, A)> {
        self.entries.iter().find(|(q, a)| matches(q, a))
    }

    /// Keep `question` and its `answer`; the oldest pair goes when the memo is full.
    pub fn keep(&mut self, question: Q, answer: A) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.remove(0);
        }
        self.entries.push((question, answer));
    }

    /// How many pairs are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `decode(octets)`, or the answer `memo` kept for octets equal to these: for a decoder
/// whose answer is a function of its octets alone. An error is not kept.
pub fn decoded<T: Clone, E>(
    memo: &'static std::thread::LocalKey<std::cell::RefCell<Memo<Vec<u8>, T>>>,
    octets: &[u8],
    decode: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, E> {
    let known = memo.with(|m| {
        m.borrow()
            .find(|q, _| q.as_slice() == octets)
            .map(|(_, a)| a.clone())
    });
    if let Some(a) = known {
        return Ok(a);
    }
    let a = decode(octets)?;
    memo.with(|m| m.borrow_mut().keep(octets.to_vec(), a.clone()));
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_pairs_up_to_its_capacity() {
        let mut m = Memo::new(3);
        for i in 0..5 {
            m.keep(i, i * 10);
        }
        assert_eq!(m.len(), 3);
        assert!(m.find(|q, _| *q == 1).is_none());
        assert_eq!(m.find(|q, _| *q == 4), Some(&(4, 40)));
        assert_eq!(m.find(|_, a| *a == 20), Some(&(2, 20)));
        let mut none = Memo::new(0);
        none.keep(1, 1);
        assert!(none.is_empty());
    }

    std::thread_local! {
        static LENGTHS: std::cell::RefCell<Memo<Vec<u8>, usize>> =
            const { std::cell::RefCell::new(Memo::new(2)) };
    }

    #[test]
    fn decoded_keeps_answers_not_errors() {
        let calls = std::cell::Cell::new(0);
        let len = |o: &[u8]| {
            calls.set(calls.get() + 1);
            if o.is_empty() {
                Err("empty")
            } else {
                Ok(o.len())
            }
        };
        assert_eq!(decoded(&LENGTHS, b"abc", len), Ok(3));
        assert_eq!(decoded(&LENGTHS, b"abc", len), Ok(3));
        assert_eq!(calls.get(), 1);
        assert_eq!(decoded(&LENGTHS, b"", len), Err("empty"));
        assert_eq!(decoded(&LENGTHS, b"", len), Err("empty"));
        assert_eq!(calls.get(), 3);
        assert_eq!(decoded(&LENGTHS, b"abcd", len), Ok(4));
        assert_eq!(calls.get(), 4);
    }
}
