//! Every field compose writes is read back by the project's own header reader
//! (`mime::HeaderSection`) and the `mmhs` grammar for that field, and gives the value the
//! request asked for. Ties compose (writing) to mmhs (reading): a change on either side that
//! breaks the other fails here.
#![cfg(not(target_arch = "wasm32"))]

use crate::support::compose::*;
use mmhs::compose::compose;
use mmhs::fields::{
    names, AddressList, AuthorizingUsers, CodressMessageIndicator, ContentLanguage, DateTime,
    EncodedInformationTypes, MessageType, MessageTypeField, MilitaryString, MilitaryStringSequence,
    MsgIdList, MtPriority, Precedence, SubjectIndicatorCodes,
};
use mmhs::mime::HeaderSection;

const REQ: &str = r#"{
  "from": { "name": "Jürgen Müller", "address": "juergen@army.example" },
  "to": [ "ops@navy.example" ], "cc": [ "intel@airforce.example" ],
  "bcc": [ "rev@army.example" ],
  "subject": "Lage",
  "primaryPrecedence": "override", "copyPrecedence": 18,
  "messageType": { "type": 200, "identifier": "NATIONAL DRILL 7" },
  "extendedAuthorisationInfo": "2026-11-23T13:55:00+01:00",
  "expires": "2026-12-01T00:00:00Z",
  "supersedes": ["a@army.example", "<b@army.example>"],
  "inReplyTo": ["c@navy.example"], "references": ["d@navy.example", "c@navy.example"],
  "subjectIndicatorCodes": ["SDM", "KKZ"],
  "handlingInstructions": ["RXFPA ZOV MINDEF"],
  "messageInstructions": ["MINIMIZE CONSIDERED", "NO DISTRIBUTION"],
  "originatorReference": "IMSCOM-JIC-612-78",
  "codressMessageIndicator": 23,
  "otherRecipientsIndicatorTo": ["UK SHL COS", "UK SHL IM"],
  "otherRecipientsIndicatorCc": ["UK SHL LEGAD"],
  "originatorPlad": "SACLANT",
  "acp127MessageIdentifier": "RPDLE 1234 0341215",
  "exemptedAddresses": [ { "name": "Ex Empt", "address": "exempt@army.example" } ],
  "authorizingUsers": [ "rel1@army.example", { "name": "Rélease Two", "address": "rel2@army.example" } ],
  "receiptNotification": true,
  "language": ["en", "fr-CA"],
  "autoforwarded": true, "incompleteCopy": true,
  "conversion": "allowed", "conversionWithLoss": "prohibited",
  "originalEncodedInformationTypes": ["IA5-Text", "1.2.3"],
  "body": "x"
}"#;

fn value(h: &HeaderSection<'_>, name: &str) -> String {
    assert_eq!(h.count(name), 1, "{name} must occur exactly once");
    h.value(name).unwrap().into_owned()
}

#[test]
fn every_field_reads_back_through_mmhs() {
    let req = request(REQ);
    let out = compose(&req, &ctx(), &mut TestRng(5)).unwrap();
    assert_eq!(out.len(), 2);
    for m in &out {
        let h = HeaderSection::parse(&m.raw).unwrap();
        assert!(h.defects.is_empty(), "{:?}", h.defects);
        let p = |n| value(&h, n).parse::<Precedence>().unwrap();
        assert_eq!(p(names::MMHS_PRIMARY_PRECEDENCE), Precedence::Override);
        assert_eq!(p(names::MMHS_COPY_PRECEDENCE), Precedence::Other(18));
        assert_eq!(
            value(&h, names::MT_PRIORITY)
                .parse::<MtPriority>()
                .unwrap()
                .value(),
            6
        );
        let mt: MessageTypeField = value(&h, names::MMHS_MESSAGE_TYPE).parse().unwrap();
        assert_eq!(mt.kind, MessageType::from_value(200));
        assert_eq!(mt.identifier.as_deref(), Some("NATIONAL DRILL 7"));
        let eai: DateTime = value(&h, names::MMHS_EXTENDED_AUTHORISATION_INFO)
            .parse()
            .unwrap();
        assert_eq!(eai.0, time::macros::datetime!(2026-11-23 12:55:00 UTC));
        let exp: DateTime = value(&h, names::EXPIRES).parse().unwrap();
        assert_eq!(exp.0, time::macros::datetime!(2026-12-01 00:00:00 UTC));
        let date: DateTime = value(&h, "Date").parse().unwrap();
        assert_eq!(date.0, now());
        let ids = |n| value(&h, n).parse::<MsgIdList>().unwrap().0;
        assert_eq!(ids(names::SUPERSEDES), ["a@army.example", "b@army.example"]);
        assert_eq!(ids("In-Reply-To"), ["c@navy.example"]);
        assert_eq!(ids("References"), ["d@navy.example", "c@navy.example"]);
        assert_eq!(ids("Message-ID").len(), 1);
        let sics: SubjectIndicatorCodes = value(&h, names::MMHS_SUBJECT_INDICATOR_CODES)
            .parse()
            .unwrap();
        assert_eq!(sics.codes(), ["SDM", "KKZ"]);
        let seq = |n| {
            value(&h, n)
                .parse::<MilitaryStringSequence>()
                .unwrap()
                .items()
                .iter()
                .map(|s| s.as_str().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(seq(names::MMHS_HANDLING_INSTRUCTIONS), ["RXFPA ZOV MINDEF"]);
        assert_eq!(
            seq(names::MMHS_MESSAGE_INSTRUCTIONS),
            ["MINIMIZE CONSIDERED", "NO DISTRIBUTION"]
        );
        assert_eq!(
            seq(names::MMHS_OTHER_RECIPIENTS_INDICATOR_TO),
            ["UK SHL COS", "UK SHL IM"]
        );
        assert_eq!(
            seq(names::MMHS_OTHER_RECIPIENTS_INDICATOR_CC),
            ["UK SHL LEGAD"]
        );
        let ms = |n| {
            value(&h, n)
                .parse::<MilitaryString>()
                .unwrap()
                .as_str()
                .to_string()
        };
        assert_eq!(ms(names::MMHS_ORIGINATOR_REFERENCE), "IMSCOM-JIC-612-78");
        assert_eq!(ms(names::MMHS_ORIGINATOR_PLAD), "SACLANT");
        assert_eq!(
            ms(names::MMHS_ACP127_MESSAGE_IDENTIFIER),
            "RPDLE 1234 0341215"
        );
        assert_eq!(
            value(&h, names::MMHS_CODRESS_MESSAGE_INDICATOR)
                .parse::<CodressMessageIndicator>()
                .unwrap()
                .0,
            23
        );
        let ex: AddressList = value(&h, names::MMHS_EXEMPTED_ADDRESS).parse().unwrap();
        let ex: Vec<_> = ex
            .mailboxes()
            .map(|m| (m.name.clone(), m.address.clone()))
            .collect();
        assert_eq!(
            ex,
            [(
                Some("Ex Empt".to_string()),
                "exempt@army.example".to_string()
            )]
        );
        let au: AuthorizingUsers = value(&h, names::MMHS_AUTHORIZING_USERS).parse().unwrap();
        assert!(au.contains("rel1@army.example") && au.contains("rel2@army.example"));
        let names_: Vec<_> = au.mailboxes().map(|m| m.name.clone()).collect();
        assert_eq!(names_, [None, Some("Rélease Two".to_string())]);
        // Sender is present because of the authorizing users (profile §3.4.3)
        let sender: AddressList = value(&h, "Sender").parse().unwrap();
        assert_eq!(
            sender.mailboxes().next().unwrap().address,
            "juergen@army.example"
        );
        let from: AddressList = value(&h, "From").parse().unwrap();
        assert_eq!(
            from.mailboxes().next().unwrap().name.as_deref(),
            Some("Jürgen Müller")
        );
        let dnt: AddressList = value(&h, names::DISPOSITION_NOTIFICATION_TO)
            .parse()
            .unwrap();
        assert_eq!(dnt.mailboxes().count(), 1);
        assert_eq!(
            value(&h, names::CONTENT_LANGUAGE)
                .parse::<ContentLanguage>()
                .unwrap()
                .0,
            ["en", "fr-CA"]
        );
        assert!(
            value(&h, names::AUTOFORWARDED)
                .parse::<mmhs::fields::Autoforwarded>()
                .unwrap()
                .0
        );
        assert!(
            mmhs::fields::mixer::parse_incomplete_copy(&value(&h, names::INCOMPLETE_COPY)).is_ok()
        );
        assert_eq!(
            value(&h, names::CONVERSION)
                .parse::<mmhs::fields::ConversionPolicy>()
                .unwrap(),
            mmhs::fields::ConversionPolicy::Allowed
        );
        assert_eq!(
            mmhs::fields::ConversionPolicy::parse_for(
                names::CONVERSION_WITH_LOSS,
                &value(&h, names::CONVERSION_WITH_LOSS)
            )
            .unwrap(),
            mmhs::fields::ConversionPolicy::Prohibited
        );
        let eits: EncodedInformationTypes = value(&h, names::ORIGINAL_ENCODED_INFORMATION_TYPES)
            .parse()
            .unwrap();
        assert_eq!(eits.0, ["IA5-Text", "1.2.3"]);
    }
}
