//! Every MMHS header field parser (the `FromStr` impls in `src/fields/`: RFC 6477, RFC 7912,
//! RFC 6710, RFC 7444 SIO-Label, RFC 2156 MIXER fields, RFC 5322 addresses). The first input
//! byte picks the parser, the rest is the field value. A value that parses must format
//! (`Display`) to a value that parses again.
#![no_main]

use std::fmt::Display;
use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use mmhs::fields::*;

fn round_trip<T: FromStr + Display>(value: &str) {
    if let Ok(v) = value.parse::<T>() {
        let shown = v.to_string();
        assert!(
            shown.parse::<T>().is_ok(),
            "{} formats {value:?} as {shown:?}, which does not parse",
            std::any::type_name::<T>()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(value) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 21 {
        0 => round_trip::<Precedence>(value),
        1 => round_trip::<MtPriority>(value),
        2 => round_trip::<MessageTypeField>(value),
        3 => round_trip::<MessageType>(value),
        4 => round_trip::<SioLabel>(value),
        5 => round_trip::<SioLabelHistory>(value),
        6 => round_trip::<Color>(value),
        7 => round_trip::<LabelType>(value),
        8 => round_trip::<AuthorizingUsers>(value),
        9 => round_trip::<CodressMessageIndicator>(value),
        10 => round_trip::<ContentLanguage>(value),
        11 => round_trip::<DateTime>(value),
        12 => round_trip::<MilitaryString>(value),
        13 => round_trip::<MilitaryStringSequence>(value),
        14 => round_trip::<Autoforwarded>(value),
        15 => round_trip::<ConversionPolicy>(value),
        16 => round_trip::<EncodedInformationTypes>(value),
        17 => round_trip::<MsgIdList>(value),
        18 => round_trip::<SubjectIndicatorCodes>(value),
        19 => round_trip::<Mailbox>(value),
        _ => round_trip::<AddressList>(value),
    }
});
