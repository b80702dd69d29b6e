//! The one SMTP envelope type (`mmhs::compose::Envelope`): every spelling its JSON reader
//! accepts gives the same envelope, every bound of `Envelope::check` refuses the input that
//! would cross it (RFC 2852 §4 BY, RFC 3461 §4 DSN parameters, RFC 4865 §4.1 HOLDFOR /
//! HOLDUNTIL, RFC 6710 §3 MT-PRIORITY, RFC 5321 §4.1.2 paths), and a checked envelope renders
//! only the command lines it describes.
#![cfg(not(target_arch = "wasm32"))]

use mmhs::compose::envelope::{EnvelopeError, MAX_BY_TIME, MAX_RCPTS};
use mmhs::compose::Envelope;
use serde_json::{json, Value};

fn read(v: Value) -> Result<Envelope, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn with_params(params: Value) -> Value {
    json!({"mailFrom": "alice@army.example", "mailParams": params,
           "rcpts": [{"address": "bob@navy.example"}]})
}

fn with_rcpt(rcpt: Value) -> Value {
    json!({"mailFrom": "alice@army.example", "rcpts": [rcpt]})
}

#[test]
fn spellings_of_one_envelope_are_equal() {
    let canonical = json!({
        "mailFrom": "alice@army.example",
        "mailParams": {"envid": "E1", "ret": "hdrs", "mtPriority": -2, "eightBitMime": false,
                       "by": {"seconds": 3600, "mode": "notify", "trace": true}},
        "rcpts": [{"address": "bob@navy.example", "notify": ["success", "failure"],
                   "orcpt": "rfc822;bob@navy.example"}]
    });
    let expected = read(canonical.clone()).unwrap();
    // What the envelope writes reads back to itself.
    assert_eq!(
        read(serde_json::to_value(&expected).unwrap()).unwrap(),
        expected
    );
    let spellings = [
        // the SMTP keywords and the RFC 2852 by-value, as the webmail's API documents them
        json!({"mailFrom": "alice@army.example",
               "mailParams": {"envid": "E1", "ret": "HDRS", "mtPriority": -2, "by": "3600;NT"},
               "rcpts": [{"address": "bob@navy.example", "notify": "SUCCESS,FAILURE",
                          "orcpt": "rfc822;bob@navy.example"}]}),
        // object BY with the one-letter mode and the `time` alias; path brackets and blanks
        json!({"mailFrom": " <alice@army.example> ",
               "mailParams": {"envid": "E1", "ret": "Hdrs", "mtPriority": -2,
                              "by": {"time": 3600, "mode": "N", "trace": true}},
               "rcpts": [{"address": "<bob@navy.example>", "notify": ["SUCCESS", " failure "],
                          "orcpt": "rfc822;bob@navy.example"}]}),
        json!({"mailFrom": "alice@army.example",
               "mailParams": {"envid": "E1", "ret": "hdrs", "mtPriority": -2,
                              "by": {"byTime": 3600, "mode": "n", "trace": true}},
               "rcpts": [{"address": "bob@navy.example", "notify": "success, failure, success",
                          "orcpt": "rfc822;bob@navy.example"}]}),
    ];
    for s in spellings {
        assert_eq!(read(s.clone()).unwrap(), expected, "{s}");
    }
    expected.check().unwrap();
    assert_eq!(
        expected.mail_from_line(),
        "MAIL FROM:<alice@army.example> RET=HDRS ENVID=E1 MT-PRIORITY=-2 BY=3600;NT"
    );
    assert_eq!(
        expected.rcpt_lines(),
        ["RCPT TO:<bob@navy.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@navy.example"]
    );
}

#[test]
fn by_value_grammar() {
    let by = |v: &str| read(with_params(json!({ "by": v }))).map(|e| e.mail_params.by.unwrap());
    let b = by("+999999999;R").unwrap();
    assert_eq!((b.seconds, b.trace, b.deadline), (MAX_BY_TIME, false, None));
    assert_eq!(by(" -5;n ").unwrap().seconds, -5);
    // RFC 2852 §4: 1*9DIGIT, one sign, mode R or N, optional T — nothing else.
    for bad in [
        "1000000000;R",
        "-1000000000;N",
        "99999999999999999999999;R",
        ";R",
        "+;R",
        "--5;R",
        "5",
        "5;",
        "5;X",
        "5;RTT",
        "5;R;N",
        "0x10;R",
        "1e3;R",
    ] {
        assert!(by(bad).is_err(), "{bad}");
    }
    for bad in [
        json!({"seconds": 60}),
        json!({"seconds": 60, "mode": "later"}),
        json!({"seconds": "60", "mode": "R"}),
        json!({"seconds": 1.5, "mode": "R"}),
        json!({"mode": "R"}),
        json!(60),
        json!(["60;R"]),
    ] {
        assert!(read(with_params(json!({ "by": bad }))).is_err(), "{bad}");
    }
}

#[test]
fn check_refuses_out_of_bounds() {
    let refused = |v: Value| -> EnvelopeError {
        let e = read(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"));
        e.check().expect_err(&v.to_string())
    };
    // BY: 9 digits in the object spelling too, positive in mode R
    assert_eq!(
        refused(with_params(
            json!({"by": {"seconds": MAX_BY_TIME + 1, "mode": "N"}})
        )),
        EnvelopeError::ByTime(MAX_BY_TIME + 1)
    );
    assert!(matches!(
        refused(with_params(
            json!({"by": {"seconds": i64::MIN, "mode": "N"}})
        )),
        EnvelopeError::ByTime(_)
    ));
    assert_eq!(
        refused(with_params(json!({"by": "0;R"}))),
        EnvelopeError::ByPassed
    );
    assert!(matches!(
        refused(with_params(
            json!({"by": {"seconds": 5, "mode": "R", "deadline": "soon"}})
        )),
        EnvelopeError::ByDeadline(_)
    ));
    // HOLDFOR / HOLDUNTIL (RFC 4865 §4.1)
    assert_eq!(
        refused(with_params(
            json!({"holdFor": 60, "holdUntil": "2026-11-23T15:00:00Z"})
        )),
        EnvelopeError::HoldBoth
    );
    assert_eq!(
        refused(with_params(json!({"holdFor": 0}))),
        EnvelopeError::HoldFor
    );
    assert_eq!(
        refused(with_params(json!({"holdFor": 1_000_000_000u32}))),
        EnvelopeError::HoldFor
    );
    assert!(matches!(
        refused(with_params(
            json!({"holdUntil": "2026-11-23T15:00:00Z RSET"})
        )),
        EnvelopeError::HoldUntil(_)
    ));
    // ENVID (RFC 3461 §4.4)
    assert_eq!(
        refused(with_params(json!({"envid": ""}))),
        EnvelopeError::Envid
    );
    assert_eq!(
        refused(with_params(json!({"envid": "x".repeat(101)}))),
        EnvelopeError::Envid
    );
    assert_eq!(
        refused(with_params(json!({"envid": "a\u{0}b"}))),
        EnvelopeError::Envid
    );
    // NOTIFY (RFC 3461 §4.1)
    assert_eq!(
        refused(with_rcpt(
            json!({"address": "bob@navy.example", "notify": "NEVER,DELAY"})
        )),
        EnvelopeError::Notify
    );
    assert_eq!(
        refused(with_rcpt(
            json!({"address": "bob@navy.example", "notify": []})
        )),
        EnvelopeError::Notify
    );
    // ORCPT: an rfc822 address only
    for bad in ["x400;c=us", "rfc822;", "rfc822;bob@navy.example>"] {
        assert!(matches!(
            refused(with_rcpt(
                json!({"address": "bob@navy.example", "orcpt": bad})
            )),
            EnvelopeError::Orcpt(_)
        ));
    }
    // Paths: no command may be smuggled into a MAIL FROM or RCPT TO line (RFC 5321 §4.1.2)
    for bad in [
        "alice@army.example>\r\nRCPT TO:<eve@evil.example",
        "alice@army.example> NOTIFY=NEVER",
        "a b@army.example",
        &format!("{}@army.example", "a".repeat(250)),
    ] {
        assert!(matches!(
            refused(json!({"mailFrom": bad, "rcpts": [{"address": "bob@navy.example"}]})),
            EnvelopeError::Address(_)
        ));
        assert!(matches!(
            refused(with_rcpt(json!({ "address": bad }))),
            EnvelopeError::Address(_)
        ));
    }
    // the null reverse-path is allowed, an empty forward-path is not
    read(json!({"mailFrom": "", "rcpts": [{"address": "bob@navy.example"}]}))
        .unwrap()
        .check()
        .unwrap();
    assert!(matches!(
        refused(with_rcpt(json!({"address": "<>"}))),
        EnvelopeError::Address(_)
    ));
    // recipients: at least one, at most MAX_RCPTS
    assert_eq!(
        refused(json!({"mailFrom": "a@x.example", "rcpts": []})),
        EnvelopeError::RecipientCount(0)
    );
    let many: Vec<Value> = (0..=MAX_RCPTS)
        .map(|i| json!({ "address": format!("r{i}@navy.example") }))
        .collect();
    assert_eq!(
        refused(json!({"mailFrom": "a@x.example", "rcpts": many})),
        EnvelopeError::RecipientCount(MAX_RCPTS + 1)
    );
}

#[test]
fn reader_refuses_wrong_values() {
    for bad in [
        with_params(json!({"mtPriority": 10})),
        with_params(json!({"mtPriority": -10})),
        with_params(json!({"mtPriority": 300})),
        with_params(json!({"mtPriority": "2"})),
        with_params(json!({"ret": "NONE"})),
        with_params(json!({"holdFor": 5_000_000_000u64})),
        with_params(json!({"holdFor": -1})),
        with_rcpt(json!({"address": "bob@navy.example", "notify": "SUCCESS,SOMETIMES"})),
        with_rcpt(json!({"address": "bob@navy.example", "notify": [1]})),
        with_rcpt(json!({"address": 7})),
    ] {
        assert!(read(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn rebase_counts_from_the_deadline_or_keeps_the_by_value() {
    let now = time::macros::datetime!(2026-11-23 12:00 UTC);
    let mut e = read(with_params(
        json!({"by": {"seconds": 1, "mode": "return", "deadline": "2026-11-23T12:10:00Z"}}),
    ))
    .unwrap();
    assert!(e.rebase_deliver_by(now));
    assert_eq!(e.mail_params.by.as_ref().map(|b| b.seconds), Some(600));
    e.check().unwrap();
    // a by-value has no deadline: its by-time counts from the submission
    let mut e = read(with_params(json!({"by": "125;R"}))).unwrap();
    assert!(e.rebase_deliver_by(now));
    assert_eq!(e.mail_params.by.as_ref().map(|b| b.seconds), Some(125));
    // a deadline so far ahead that the by-time overflows 9 digits is refused by check
    let mut e = read(with_params(
        json!({"by": {"seconds": 1, "mode": "N", "deadline": "2343-01-01T00:00:00Z"}}),
    ))
    .unwrap();
    assert!(e.rebase_deliver_by(now));
    assert!(matches!(e.check(), Err(EnvelopeError::ByTime(_))));
}
