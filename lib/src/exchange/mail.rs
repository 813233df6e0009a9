//! E-mail: messages from an mbox file or `.eml` files, parsed by the
//! `mail-parser` crate (MIME, RFC 2047 encoded words, legacy charsets), become
//! `email` interactions with the customers they were exchanged with.

use compact_str::CompactString;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::{Address, MessageParser};

use super::staged::{email_key, interaction_key, message_key};
use super::{Reference, Workspace};
use crate::error::{Error, Problem, Result};
use crate::model::customer::{CustomerKind, Lifecycle};
use crate::model::interaction::Direction;
use crate::model::values::{Timestamp, format_timestamp};
use crate::model::{Interaction, Kind, Record};

/// The channel imported messages are logged on.
pub const CHANNEL: &str = "email";

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

/// What relate keeps of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub at: Option<Timestamp>,
    pub from: Option<Mailbox>,
    /// To, then Cc.
    pub recipients: Vec<Mailbox>,
    pub subject: Option<String>,
    /// The plain-text part (or the HTML part as text), decoded to UTF-8.
    pub body: Option<String>,
}

/// Where a message came from: a file, and its line in an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: PathBuf,
    pub line: Option<usize>,
}

fn mailboxes(address: Option<&Address>) -> Vec<Mailbox> {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|addr| {
            Some(Mailbox {
                name: addr
                    .name()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty()),
                address: addr.address()?.trim().to_string(),
            })
        })
        .filter(|m| m.address.contains('@'))
        .collect()
}

/// Parses one RFC 5322 message.
pub fn parse_message(bytes: &[u8]) -> Result<Mail, String> {
    let message = MessageParser::default()
        .parse(bytes)
        .filter(|m| !m.headers().is_empty())
        .ok_or("not an e-mail message (no headers)")?;
    let at = message
        .date()
        .and_then(|date| chrono::DateTime::parse_from_rfc3339(&date.to_rfc3339()).ok());
    let mut recipients = mailboxes(message.to());
    recipients.extend(mailboxes(message.cc()));
    let body = message
        .body_text(0)
        .map(|text| text.replace("\r\n", "\n").trim().to_string())
        .filter(|text| !text.is_empty())
        .map(|text| format!("{text}\n"));
    Ok(Mail {
        message_id: message.message_id().map(|id| id.trim().to_string()),
        at,
        from: mailboxes(message.from()).into_iter().next(),
        recipients,
        subject: message
            .subject()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        body,
    })
}

/// The messages of an mbox file, each with the line of its `From ` separator.
pub fn split_mbox(bytes: &[u8]) -> Result<Vec<(usize, Vec<u8>)>, String> {
    let mut messages = Vec::new();
    // Lines before the first separator belong to no message.
    let mut line = 1 + bytes
        .split(|b| *b == b'\n')
        .position(|l| l.starts_with(b"From "))
        .unwrap_or(0);
    for message in MessageIterator::new(bytes) {
        let contents = message.map_err(|e| e.to_string())?.unwrap_contents();
        let lines = contents.iter().filter(|b| **b == b'\n').count();
        messages.push((line, contents));
        line += 1 + lines;
    }
    Ok(messages)
}

/// A correspondent no customer has, with how many messages they are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub address: String,
    pub name: Option<String>,
    pub messages: usize,
}

/// What importing messages did besides changing the workspace.
#[derive(Debug, Default)]
pub struct MailOutcome {
    pub problems: Vec<Problem>,
    /// Correspondents of messages left out because no customer has their address.
    pub unmatched: Vec<Unmatched>,
}

/// Logs each message as an `email` interaction with the customer it was
/// exchanged with: the sender, or for messages the team sent (from an address
/// of an owner in relate.yaml), the first recipient who is a customer.
/// Without a customer, the message is left out and its correspondents listed,
/// unless `--create-customers` makes them leads.
pub fn import_messages(
    ws: &mut Workspace,
    messages: Vec<(Origin, Result<Mail, String>)>,
) -> MailOutcome {
    let mut outcome = MailOutcome::default();
    let mut unmatched: BTreeMap<String, Unmatched> = BTreeMap::new();
    for (origin, mail) in messages {
        let result = mail.and_then(|mail| import_message(ws, &mail));
        match result {
            Ok(None) => {}
            Ok(Some(correspondents)) => {
                for mailbox in correspondents {
                    let entry =
                        unmatched
                            .entry(mailbox.address.to_lowercase())
                            .or_insert(Unmatched {
                                address: mailbox.address,
                                name: None,
                                messages: 0,
                            });
                    entry.messages += 1;
                    entry.name = entry.name.take().or(mailbox.name);
                }
            }
            Err(message) => outcome
                .problems
                .push(Problem::new(origin.path, origin.line, message)),
        }
    }
    outcome.unmatched = unmatched.into_values().collect();
    outcome
}

/// Imports one message; returns its correspondents when none is a customer.
fn import_message(ws: &mut Workspace, mail: &Mail) -> Result<Option<Vec<Mailbox>>, String> {
    let at = mail.at.ok_or("the message has no valid Date header")?;
    let from = mail
        .from
        .as_ref()
        .ok_or("the message has no From address")?;
    let team = |address: &str| ws.settings.owner_by_email(address);
    let sender_owner = team(&from.address).map(|o| CompactString::from(&o.id));
    let (direction, owner, correspondents): (_, _, Vec<Mailbox>) = match sender_owner {
        Some(owner) => (
            Direction::Outbound,
            Some(owner),
            mail.recipients
                .iter()
                .filter(|m| team(&m.address).is_none())
                .cloned()
                .collect(),
        ),
        None => (
            Direction::Inbound,
            mail.recipients
                .iter()
                .find_map(|m| team(&m.address))
                .map(|o| CompactString::from(&o.id)),
            vec![from.clone()],
        ),
    };
    // A message exchanged with an erased person is about them.
    if ws.skip_suppressed(correspondents.iter().map(|m| m.address.as_str()), []) {
        return Ok(None);
    }
    let found = correspondents
        .iter()
        .find_map(|m| ws.customers.find_key(&email_key(&m.address)));
    let customer = match (found, correspondents.first()) {
        (Some(index), _) => Reference::Existing(index),
        (None, Some(first)) if ws.options.create_customers => {
            let name = first
                .name
                .clone()
                .unwrap_or_else(|| first.address.split('@').next().unwrap_or("").to_string());
            let mut lead = ws.new_customer(&name, CustomerKind::Person)?;
            lead.emails = vec![first.address.clone()];
            lead.stage = Some(Lifecycle::Lead);
            lead.source = Some(CHANNEL.into());
            Reference::New(lead)
        }
        (None, _) => return Ok(Some(correspondents)),
    };
    let customer_id = match &customer {
        Reference::Existing(index) => ws.customers.get(*index).id.clone(),
        Reference::New(lead) => lead.id.clone(),
    };
    let existing = mail
        .message_id
        .as_deref()
        .and_then(|id| ws.interactions.find_key(&message_key(id)))
        .or_else(|| {
            let key = interaction_key(&customer_id, &format_timestamp(&at), CHANNEL);
            // One logged from another message is another interaction.
            let may_be =
                |other: &Interaction| mail.message_id.is_none() || other.message_id.is_none();
            ws.interactions.find_unwritten(&key, may_be, |_| false)
        });
    let id = match existing {
        Some(index) => ws.interactions.get(index).id.clone(),
        None => ws.new_time_id(Kind::Interaction, &at).into(),
    };
    let previous = existing.map(|index| ws.interactions.get(index).clone());
    let interaction = Interaction {
        id,
        external_id: previous.as_ref().and_then(|p| p.external_id.clone()),
        customer: customer_id,
        at,
        channel: CHANNEL.into(),
        direction: Some(direction),
        purpose: previous.as_ref().and_then(|p| p.purpose),
        owner,
        summary: mail.subject.clone(),
        body: mail.body.clone(),
        deal: previous.as_ref().and_then(|p| p.deal.clone()),
        ticket: previous.as_ref().and_then(|p| p.ticket.clone()),
        campaign: previous.as_ref().and_then(|p| p.campaign.clone()),
        follow_up: previous.as_ref().and_then(|p| p.follow_up),
        score: None,
        message_id: mail.message_id.as_deref().map(CompactString::from),
        conflicts: Vec::new(),
    };
    let problems = interaction.problems(ws.settings);
    if let Some(problem) = problems.first() {
        return Err(problem.message.clone());
    }
    ws.settle_customer(customer);
    ws.interactions.put(existing, interaction);
    Ok(None)
}

/// The messages at `path`: an mbox file, one `.eml` file, or a folder of
/// `.eml` files. A file or folder without a single message is invalid data:
/// it is not what the import was given for.
pub fn read_messages(path: &Path) -> Result<Vec<(Origin, Result<Mail, String>)>> {
    let origin = |path: &Path, line| Origin {
        path: path.to_path_buf(),
        line,
    };
    let read = |file: &Path| std::fs::read(file).map_err(|e| Error::io(file, e));
    let none_in = |what: &str, hint: &str| {
        Error::invalid(vec![Problem::new(
            path,
            None,
            format!("no e-mail message in the {what}"),
        )])
        .with_hint(format!("nothing was imported: {hint}"))
    };
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml")))
            .collect();
        if files.is_empty() {
            return Err(none_in(
                "folder",
                "a folder of mail holds one message per .eml file",
            ));
        }
        files.sort();
        return files
            .into_iter()
            .map(|file| Ok((origin(&file, None), parse_message(&read(&file)?))))
            .collect();
    }
    let bytes = read(path)?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
    {
        return Ok(vec![(origin(path, None), parse_message(&bytes))]);
    }
    let messages = split_mbox(&bytes)
        .map_err(|message| Error::invalid(vec![Problem::new(path, None, message)]))?;
    if messages.is_empty() {
        return Err(none_in(
            "file",
            "an mbox file holds messages that each begin with a `From ` line; give a single message as a .eml file",
        ));
    }
    Ok(messages
        .into_iter()
        .map(|(line, bytes)| (origin(path, Some(line)), parse_message(&bytes)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATIN1: &[u8] = b"From: =?ISO-8859-1?Q?Andr=E9_Dupr=E9?= <andre@client.example>\r\n\
To: Alice <alice@team.example>\r\n\
Subject: =?UTF-8?B?UsOpdW5pb24gZGUgbWFyZGk=?=\r\n\
Date: Tue, 3 Nov 2026 09:15:00 +0100\r\n\
Message-ID: <m1@client.example>\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Tr\xe8s bien, \xe0 mardi.\r\n";

    #[test]
    fn encoded_headers_and_latin1_bodies_become_readable() {
        let mail = parse_message(LATIN1).unwrap();
        assert_eq!(mail.subject.as_deref(), Some("Réunion de mardi"));
        assert_eq!(
            mail.from.as_ref().unwrap().name.as_deref(),
            Some("André Dupré")
        );
        assert_eq!(mail.body.as_deref(), Some("Très bien, à mardi.\n"));
        assert_eq!(mail.message_id.as_deref(), Some("m1@client.example"));
        assert_eq!(
            format_timestamp(&mail.at.unwrap()),
            "2026-11-03T09:15:00+01:00"
        );
        assert_eq!(mail.recipients[0].address, "alice@team.example");
    }

    #[test]
    fn mbox_messages_know_their_lines() {
        let mbox = b"From a@x Tue Nov  3 09:15:00 2026\nSubject: one\n\n>From here\n\nFrom b@x Tue Nov  3 09:16:00 2026\nSubject: two\n\nbody\n";
        let messages = split_mbox(mbox).unwrap();
        assert_eq!(
            messages.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [1, 6]
        );
        assert!(String::from_utf8_lossy(&messages[0].1).contains("\nFrom here"));
    }
}
