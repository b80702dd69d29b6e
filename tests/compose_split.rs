//! Splitting per recipient (MMHS profile §3.2, §3.4): To, Cc and two Bcc recipients with FLASH/ROUTINE precedences give
//! three messages with one Message-ID, the right precedence fields and MT-Priority, correct
//! envelopes, Bcc never disclosed — and every copy parses back with mail-parser.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::compose::*;
use mmhs::compose::{compose, CopyKind};

const REQ: &str = r#"{
  "from": { "name": "Alice Commander", "address": "alice@army.example" },
  "to": [ { "name": "Bob", "address": "bob@navy.example" } ],
  "cc": [ "carol@airforce.example" ],
  "bcc": [ "dave@army.example", { "name": "Eve Reviewer", "address": "eve@army.example" } ],
  "subject": "Exercise status",
  "primaryPrecedence": "FLASH",
  "copyPrecedence": "routine",
  "messageType": { "type": "exercise", "identifier": "CANDLE FISH" },
  "body": "All units report status by 1800Z.\n"
}"#;

#[test]
fn to_cc_two_bcc_gives_three_copies() {
    let req = request(REQ);
    let out = compose(&req, &ctx(), &mut TestRng(7)).expect("composes");
    assert_eq!(out.len(), 3, "open copy + one per Bcc");

    // one Message-ID everywhere
    let ids: Vec<_> = out
        .iter()
        .map(|m| field(&m.raw, "Message-ID").unwrap())
        .collect();
    assert!(ids.iter().all(|i| i == &ids[0]), "{ids:?}");
    assert!(ids[0].starts_with('<') && ids[0].ends_with("@army.example>"));
    assert!(out.iter().all(|m| m.message_id == ids[0]));

    for m in &out {
        assert_wellformed_lines(&m.raw);
        assert_eq!(fields(&m.raw, "Message-ID").len(), 1);
        // precedences: FLASH for To, ROUTINE for Cc/Bcc; MT-Priority from primary (4)
        assert_eq!(
            field(&m.raw, "MMHS-Primary-Precedence").as_deref(),
            Some("flash")
        );
        assert_eq!(
            field(&m.raw, "MMHS-Copy-Precedence").as_deref(),
            Some("routine")
        );
        assert_eq!(field(&m.raw, "MT-Priority").as_deref(), Some("4"));
        assert_eq!(m.envelope.mail_params.mt_priority, Some(4));
        assert!(field(&m.raw, "MMHS-Extended-Authorisation-Info").is_some());
        assert_eq!(
            field(&m.raw, "MMHS-Message-Type").as_deref(),
            Some("exercise; identifier=\"CANDLE FISH\"")
        );
        assert_eq!(m.envelope.mail_from, "alice@army.example");
        assert_eq!(
            m.envelope.mail_params.envid.as_deref(),
            Some(ids[0].trim_matches(['<', '>']))
        );
        // To and Cc shown in every copy
        assert_eq!(
            field(&m.raw, "To").as_deref(),
            Some("Bob <bob@navy.example>")
        );
        assert_eq!(
            field(&m.raw, "Cc").as_deref(),
            Some("carol@airforce.example")
        );
        // sender equals from → no Sender field
        assert!(field(&m.raw, "Sender").is_none());

        // parse back
        let p = parse(&m.raw);
        assert_eq!(p.message_id(), Some(ids[0].trim_matches(['<', '>'])));
        assert_eq!(p.subject(), Some("Exercise status"));
        assert_eq!(
            p.from().and_then(|a| a.first()).and_then(|a| a.address()),
            Some("alice@army.example")
        );
        assert_eq!(
            p.body_text(0).as_deref(),
            Some("All units report status by 1800Z.\r\n")
        );
    }

    // open copy: To + Cc in the envelope, no Bcc anywhere in its bytes
    let open = &out[0];
    assert_eq!(open.kind, CopyKind::Open);
    let rc: Vec<_> = open
        .envelope
        .rcpts
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(rc, ["bob@navy.example", "carol@airforce.example"]);
    assert!(field(&open.raw, "Bcc").is_none());
    let text = String::from_utf8_lossy(&open.raw);
    assert!(
        !text.contains("dave@") && !text.contains("eve@"),
        "Bcc leaked:\n{text}"
    );

    // blind copies: one recipient each, Bcc shows only that recipient
    for (m, who, shown) in [
        (&out[1], "dave@army.example", "dave@army.example"),
        (
            &out[2],
            "eve@army.example",
            "Eve Reviewer <eve@army.example>",
        ),
    ] {
        assert_eq!(m.kind, CopyKind::Blind);
        assert_eq!(m.envelope.rcpts.len(), 1);
        assert_eq!(m.envelope.rcpts[0].address, who);
        assert_eq!(fields(&m.raw, "Bcc"), vec![shown.to_string()]);
        let other = if who.starts_with("dave") {
            "eve@"
        } else {
            "dave@"
        };
        assert!(
            !String::from_utf8_lossy(&m.raw).contains(other),
            "other Bcc leaked"
        );
        let p = parse(&m.raw);
        assert_eq!(
            p.bcc().and_then(|a| a.first()).and_then(|a| a.address()),
            Some(who)
        );
    }

    // envelope lines
    assert_eq!(
        open.envelope.rcpt_lines(),
        [
            "RCPT TO:<bob@navy.example> NOTIFY=FAILURE ORCPT=rfc822;bob@navy.example",
            "RCPT TO:<carol@airforce.example> NOTIFY=FAILURE ORCPT=rfc822;carol@airforce.example",
        ]
    );
    let mf = open.envelope.mail_from_line();
    assert!(
        mf.starts_with("MAIL FROM:<alice@army.example> SIZE="),
        "{mf}"
    );
    assert!(
        mf.contains(&format!(
            " ENVID={} MT-PRIORITY=4",
            ids[0].trim_matches(['<', '>'])
        )),
        "{mf}"
    );
    assert_eq!(open.envelope.mail_params.size, Some(open.raw.len() as u64));
}

#[test]
fn copy_precedence_only_where_copy_recipients_show() {
    // To + Bcc, no Cc: the open copy shows no Cc/Bcc → no MMHS-Copy-Precedence there
    // (it would reveal that blind recipients exist); the Bcc copy has it.
    let req = request(
        r#"{ "from": "alice@army.example", "to": ["bob@navy.example"], "bcc": ["dave@army.example"],
             "primaryPrecedence": "immediate", "copyPrecedence": "deferred", "body": "x" }"#,
    );
    let out = compose(&req, &ctx(), &mut TestRng(1)).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(
        field(&out[0].raw, "MMHS-Primary-Precedence").as_deref(),
        Some("immediate")
    );
    assert_eq!(field(&out[0].raw, "MMHS-Copy-Precedence"), None);
    assert_eq!(
        field(&out[1].raw, "MMHS-Copy-Precedence").as_deref(),
        Some("deferred")
    );
    // MT-Priority from the primary precedence (immediate → 2) in both copies
    assert!(out
        .iter()
        .all(|m| field(&m.raw, "MT-Priority").as_deref() == Some("2")));
}

#[test]
fn mt_priority_from_copy_precedence_without_to() {
    let req = request(
        r#"{ "from": "alice@army.example", "cc": ["carol@airforce.example"],
             "copyPrecedence": "override", "body": "x" }"#,
    );
    let out = compose(&req, &ctx(), &mut TestRng(1)).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(field(&out[0].raw, "MMHS-Primary-Precedence"), None);
    assert_eq!(
        field(&out[0].raw, "MMHS-Copy-Precedence").as_deref(),
        Some("override")
    );
    assert_eq!(field(&out[0].raw, "MT-Priority").as_deref(), Some("6"));
    assert_eq!(out[0].envelope.mail_params.mt_priority, Some(6));
}

#[test]
fn receipt_notification_for_some_recipients_splits_copies() {
    let req = request(
        r#"{ "from": "alice@army.example",
             "to": [ { "address": "bob@navy.example", "receiptNotification": true },
                     "frank@navy.example" ],
             "cc": [ { "address": "carol@airforce.example", "receiptNotification": true } ],
             "bcc": [ { "address": "dave@army.example", "receiptNotification": true },
                      "eve@army.example" ],
             "primaryPrecedence": "priority", "copyPrecedence": "routine",
             "notify": ["success", "failure", "delay"],
             "body": "x" }"#,
    );
    let out = compose(&req, &ctx(), &mut TestRng(3)).unwrap();
    assert_eq!(out.len(), 4);
    let rcpts = |i: usize| -> Vec<String> {
        out[i]
            .envelope
            .rcpts
            .iter()
            .map(|r| r.address.clone())
            .collect()
    };
    assert_eq!(rcpts(0), ["bob@navy.example", "carol@airforce.example"]);
    assert_eq!(rcpts(1), ["frank@navy.example"]);
    assert_eq!(rcpts(2), ["dave@army.example"]);
    assert_eq!(rcpts(3), ["eve@army.example"]);
    let dnt: Vec<_> = out
        .iter()
        .map(|m| field(&m.raw, "Disposition-Notification-To"))
        .collect();
    assert_eq!(
        dnt,
        [
            Some("alice@army.example".to_string()),
            None,
            Some("alice@army.example".to_string()),
            None
        ]
    );
    assert!(out[0].receipt_notification && !out[1].receipt_notification);
    // every copy still shows all open recipients
    for m in &out {
        assert_eq!(
            field(&m.raw, "To").as_deref(),
            Some("bob@navy.example, frank@navy.example")
        );
    }
    assert_eq!(
        out[1].envelope.rcpt_lines(),
        ["RCPT TO:<frank@navy.example> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;frank@navy.example"]
    );
}
