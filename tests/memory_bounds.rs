//! Memory held while reading hostile input, measured. This test binary's allocator counts
//! the octets each thread holds and the most it held; each test reads one hostile message on
//! its own thread and bounds that peak by a small multiple of the input. Time is bounded
//! elsewhere (the `dos` cases of `cargo bench --bench smime`); here it is the memory a
//! message of many small pieces would make the reader hold if it listed them all.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting per thread.
struct Counting;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grew(n: usize) {
    let _ = HELD.try_with(|h| {
        let v = h.get().saturating_add(n);
        h.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

fn shrank(n: usize) {
    // Memory allocated on another thread and freed here is not this thread's: saturate.
    let _ = HELD.try_with(|h| h.set(h.get().saturating_sub(n)));
}

// SAFETY: every call is passed to `System` unchanged; the counting touches only
// thread-locals without destructors (no allocation, no re-entry).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What `f` returns, and the most this thread held above what it held before, while it ran.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = HELD.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get).saturating_sub(base))
}

const MIB: usize = 1024 * 1024;

/// A message of these header fields and body.
fn message(content_type: &str, body: &[u8]) -> Vec<u8> {
    [
        format!(
            "From: a@army.example\r\nTo: b@navy.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
        body,
    ]
    .concat()
}

/// A body of `n` delimiter lines of boundary `b`: `n - 1` empty parts, no close delimiter.
fn delimiters(n: usize) -> Vec<u8> {
    b"--b\r\n".repeat(n)
}

#[test]
fn the_counting_allocator_counts() {
    let (v, peak) = peak_during(|| vec![0u8; 3 * MIB]);
    assert!(peak >= 3 * MIB, "{peak}");
    let (_, peak) = peak_during(|| drop(v));
    assert_eq!(peak, 0);
}

/// A multipart/signed of a million delimiter lines: its two parts are taken, the others never
/// listed (a list of every part held about eight times the body: a slice and a delimiter
/// line's place per five octets).
#[test]
fn a_multipart_signed_of_a_million_delimiters_is_not_listed() {
    let m = message(
        "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=b",
        &delimiters(1_000_000),
    );
    let ctx = mmhs::verify::VerifyContext::default();
    let (r, peak) = peak_during(|| mmhs::verify::verify(&m, &ctx));
    // Two empty parts: no signature to read.
    let r = r.unwrap();
    assert!(!r.valid && !r.problems.is_empty(), "{:?}", r.problems);
    assert!(
        peak < m.len() / 2,
        "verify held {peak} octets for {} in",
        m.len()
    );
}

/// Displayed, a multipart of a million parts is read as far as the part limit.
#[test]
fn a_displayed_multipart_of_a_million_parts_is_read_to_the_limit() {
    let m = message("multipart/mixed; boundary=b", &delimiters(1_000_000));
    let (view, peak) = peak_during(|| {
        mmhs::mime::content::read_content(&m, &Default::default(), &Default::default())
    });
    assert!(view.unwrap().truncated);
    assert!(
        peak < m.len() / 2,
        "read_content held {peak} octets for {} in",
        m.len()
    );
}

/// A Legacy Display Element among a million alternatives: the changed alternative is copied,
/// the others are written back from where they lie (not copied one by one first).
#[test]
fn a_legacy_display_element_among_a_million_alternatives() {
    let element = "--b\r\nContent-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nSubject: x\r\n\r\nHello\r\n";
    let body = [element.as_bytes(), &delimiters(1_000_000), b"--b--\r\n"].concat();
    let entity = [
        b"Content-Type: multipart/alternative; boundary=b\r\n\r\n".as_slice(),
        &body,
    ]
    .concat();
    let (out, peak) = peak_during(|| mmhs::protect::remove_legacy_display(&entity));
    let out = out.unwrap();
    let (_, body) = mmhs::mime::entity::split(&out);
    let mut parts = mmhs::mime::entity::multipart_iter(body, "b").unwrap();
    assert_eq!(
        parts.next(),
        Some(&b"Content-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nHello"[..])
    );
    assert_eq!(parts.filter(|p| p.is_empty()).count(), 1_000_000);
    // The output itself, and little more.
    assert!(
        peak < out.len() + out.len() / 2,
        "held {peak} octets for an output of {}",
        out.len()
    );
}

/// A header section beyond the reader's limits is refused without being read whole (read
/// whole, a section of one-line fields took about 23 times its octets).
#[test]
fn a_header_section_beyond_the_limits_is_refused_unread() {
    use mmhs::coded::Coded;
    let fields: String = (0..200_000).map(|i| format!("X-F{i}: v\r\n")).collect();
    let m = [fields.as_bytes(), &message("text/plain", b"hi\r\n")].concat();
    let ctx = mmhs::verify::VerifyContext::default();
    let (r, peak) = peak_during(|| mmhs::verify::verify(&m, &ctx));
    assert_eq!(r.unwrap_err().code(), "header-too-many-fields");
    assert!(
        peak < m.len(),
        "verify held {peak} octets for {} in",
        m.len()
    );
}
