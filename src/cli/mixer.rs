//! `mmhs mixer to-x400 HEADING.json` / `mmhs mixer to-internet HEADING.json [--all-military]`:
//! MIXER mapping of the originator and authorizing users (draft-melnikov-mmhs-authorizing-users
//! §5; [`crate::release::to_x400`], [`crate::release::to_internet`]). Prints the mapping
//! JSON, the same as the wasm `mixerMap`. `to-x400` also takes a message (`--message IN.eml`)
//! and reads From, Sender and MMHS-Authorizing-Users from it.

use std::path::PathBuf;

use super::material::{read_json, ARGS_INVALID};
use super::{io, Outcome};
use crate::fields::address::addr_specs;
use crate::mime::entity;
use crate::mime::header::HeaderSection;
use crate::release::{to_internet, to_x400, InternetHeading, IpmsHeading};
use crate::{Error, Result};

/// Arguments of `mmhs mixer`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Direction.
    #[arg(value_parser = ["to-x400", "to-internet"])]
    pub direction: String,
    /// The heading (JSON: `{from, sender, authorizingUsers}` for to-x400,
    /// `{originator, authorizingUsers, headingExtensions}` for to-internet).
    pub heading: Option<PathBuf>,
    /// to-x400: read the heading from this message instead.
    #[arg(long, value_name = "IN.eml", conflicts_with = "heading")]
    pub message: Option<PathBuf>,
    /// to-internet: the gateway is configured to treat every message as military.
    #[arg(long)]
    pub all_military: bool,
}

/// Run `mmhs mixer`.
pub(super) fn run(args: Args) -> Result<Outcome> {
    if args.direction == "to-x400" {
        let heading: InternetHeading = match (&args.heading, &args.message) {
            (Some(p), _) => read_json(p, "heading")?,
            (None, Some(m)) => internet_heading(&io::read_input(m, "message")?),
            (None, None) => {
                return Err(Error::input(
                    ARGS_INVALID,
                    "to-x400 needs HEADING.json or --message IN.eml",
                ))
            }
        };
        io::print_json(&to_x400(&heading))?;
    } else {
        let Some(p) = &args.heading else {
            return Err(Error::input(ARGS_INVALID, "to-internet needs HEADING.json"));
        };
        let heading: IpmsHeading = read_json(p, "heading")?;
        io::print_json(&to_internet(&heading, args.all_military))?;
    }
    Ok(Outcome::Success)
}

/// From, Sender and MMHS-Authorizing-Users of a message.
pub(super) fn internet_heading(raw: &[u8]) -> InternetHeading {
    let Ok(h) = HeaderSection::parse(entity::split(raw).0) else {
        return InternetHeading::default();
    };
    let listed = crate::verify::listed_authorizing_users(raw);
    InternetHeading {
        from: addr_specs(&h, "from"),
        sender: addr_specs(&h, "sender").into_iter().next(),
        authorizing_users: (!listed.is_empty()).then_some(listed),
    }
}
