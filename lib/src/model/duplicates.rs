//! Customers that are probably the same person or organization: pure, customers
//! in, groups out (docs/duplicates.md explains the rules to users).
//!
//! Each customer gives keys: its e-mail addresses normalised (case ignored;
//! dots and `+tag` ignored in the local part at gmail-style providers), its
//! phones in E.164, its name folded (case, accents and word order ignored),
//! its company folded, and the domains of its e-mail addresses that are not
//! public mail providers. Customers are compared only within a block of
//! equal keys, and within a large block only with their neighbours in name
//! order, so the comparisons grow with the number of customers, never with
//! its square.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

use super::Customer;

/// Pairs scoring below this are not listed unless `--threshold` says otherwise.
pub const DEFAULT_THRESHOLD: f64 = 0.7;

/// How near two folded names must be (Jaro-Winkler) to count as similar.
pub const SIMILAR_NAME: f64 = 0.9;

/// How many neighbours in name order each customer of a block is compared with.
pub const WINDOW: usize = 8;

/// Providers whose domains many unrelated people share, by the first label
/// of the domain (any country's `hotmail.*` or `yahoo.*`).
const PUBLIC_PROVIDERS: &[&str] = &[
    "aol",
    "gmail",
    "googlemail",
    "gmx",
    "hotmail",
    "icloud",
    "live",
    "msn",
    "outlook",
    "proton",
    "protonmail",
    "yahoo",
    "yandex",
    "ymail",
];

/// Public mail domains named in full: internet providers and national services.
const PUBLIC_DOMAINS: &[&str] = &[
    "163.com",
    "btinternet.com",
    "casema.nl",
    "comcast.net",
    "free.fr",
    "hetnet.nl",
    "home.nl",
    "kpnmail.nl",
    "laposte.net",
    "libero.it",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "orange.fr",
    "planet.nl",
    "qq.com",
    "skynet.be",
    "t-online.de",
    "telenet.be",
    "web.de",
    "xs4all.nl",
    "ziggo.nl",
];

/// Providers where dots and a `+tag` in the local part reach the same mailbox.
const GMAIL_STYLE: &[&str] = &["gmail.com", "googlemail.com"];

/// Whether many unrelated people have addresses at `domain` (lowercase).
pub fn is_public_domain(domain: &str) -> bool {
    let first = domain.split('.').next().unwrap_or_default();
    PUBLIC_PROVIDERS.contains(&first) || PUBLIC_DOMAINS.contains(&domain)
}

/// An e-mail address as the mailbox it reaches: lowercase; at gmail-style
/// providers without dots or `+tag` in the local part.
pub fn normalize_email(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email;
    };
    if !GMAIL_STYLE.contains(&domain) {
        return email;
    }
    let local = local.split('+').next().unwrap_or_default().replace('.', "");
    format!("{local}@gmail.com")
}

/// A phone number in E.164 (`+31612345678`), read in `region` when it has no
/// country code; a number the metadata does not know keeps its digits (and a
/// leading `+`), so that two spellings of it still match.
pub fn normalize_phone(phone: &str, region: Option<phonenumber::country::Id>) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    // Written internationally with plain separators, a number already is its
    // E.164 digits: no need of the metadata (whose parser builds regular
    // expressions, by far the slowest part on a large store). A `(0)` trunk
    // prefix or any other mark goes the long way.
    let plain = phone.trim().strip_prefix('+').is_some_and(|rest| {
        rest.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/'))
    });
    if plain && (8..=15).contains(&digits.len()) {
        return Some(format!("+{digits}"));
    }
    if let Ok(number) = phonenumber::parse(region, phone)
        && number.is_valid()
    {
        return Some(number.format().mode(phonenumber::Mode::E164).to_string());
    }
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    (digits.len() >= 6).then(|| format!("{plus}{digits}"))
}

/// The region of `phone_region` in relate.yaml, if it names one.
pub fn phone_region(code: &str) -> Option<phonenumber::country::Id> {
    code.to_uppercase().parse().ok()
}

/// The words of a text folded: accents to ASCII, lowercase, split at anything
/// that is not a letter or digit.
fn folded_words(text: &str) -> Vec<String> {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(String::from)
        .collect()
}

/// What a customer is compared by.
#[derive(Debug, Clone, Default)]
struct Keys {
    emails: Vec<String>,
    phones: Vec<String>,
    /// The folded words of the name, sorted: equal for `Vries, Jan de`.
    name: String,
    company: Option<String>,
    domains: Vec<String>,
}

impl Keys {
    fn of(customer: &Customer, region: Option<phonenumber::country::Id>) -> Keys {
        Keys::with_phones(customer, region, |_| true)
    }

    /// The keys, normalising only the phones that `wanted` lets through
    /// (reading a phone number is the costly part).
    fn with_phones(
        customer: &Customer,
        region: Option<phonenumber::country::Id>,
        wanted: impl Fn(&str) -> bool,
    ) -> Keys {
        let mut emails: Vec<String> = customer.emails.iter().map(|e| normalize_email(e)).collect();
        emails.sort();
        emails.dedup();
        let mut domains: Vec<String> = emails
            .iter()
            .filter_map(|e| Some(e.rsplit_once('@')?.1.to_string()))
            .filter(|domain| !domain.is_empty() && !is_public_domain(domain))
            .collect();
        domains.sort();
        domains.dedup();
        let mut phones: Vec<String> = (customer.phones.iter())
            .filter(|p| wanted(p))
            .filter_map(|p| normalize_phone(p, region))
            .collect();
        phones.sort();
        phones.dedup();
        let mut name = folded_words(&customer.name);
        name.sort();
        let company = (customer.company.as_deref())
            .map(|c| folded_words(c).join(" "))
            .filter(|c| !c.is_empty());
        Keys {
            emails,
            phones,
            name: name.join(" "),
            company,
            domains,
        }
    }

    /// The blocks the customer is in: one per key.
    fn blocks(&self) -> impl Iterator<Item = Block<'_>> {
        (self.emails.iter().map(|e| Block::Email(e)))
            .chain(self.phones.iter().map(|p| Block::Phone(p)))
            .chain(self.domains.iter().map(|d| Block::Domain(d)))
            .chain(self.company.as_deref().map(Block::Company))
            .chain((!self.name.is_empty()).then_some(Block::Name(&self.name)))
    }
}

/// The last digits of a phone number, which every spelling of it ends in.
fn phone_ending(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(6)..].iter().collect()
}

/// Why two customers look like one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    SameEmail {
        email: String,
    },
    SamePhone {
        phone: String,
    },
    /// Names equal once folded, and something shared besides.
    SameName {
        shared: Shared,
    },
    /// Names near by Jaro-Winkler, and something shared besides.
    SimilarName {
        similarity: f64,
        shared: Shared,
    },
}

/// What two customers of equal or similar names also share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shared {
    Company(String),
    Domain(String),
}

impl Reason {
    /// How sure this reason alone makes a match, from 0 to 1.
    pub fn weight(&self) -> f64 {
        match self {
            Reason::SameEmail { .. } => 0.95,
            Reason::SamePhone { .. } => 0.9,
            Reason::SameName { .. } => 0.85,
            Reason::SimilarName { similarity, .. } => 0.8 * similarity,
        }
    }

    /// The reason as people read it.
    pub fn describe(&self) -> String {
        let shared = |shared: &Shared| match shared {
            Shared::Company(company) => format!("same company {company}"),
            Shared::Domain(domain) => format!("same e-mail domain {domain}"),
        };
        match self {
            Reason::SameEmail { email } => format!("same e-mail {email}"),
            Reason::SamePhone { phone } => format!("same phone {phone}"),
            Reason::SameName { shared: s } => format!("same name, {}", shared(s)),
            Reason::SimilarName {
                similarity,
                shared: s,
            } => {
                format!("similar name ({similarity:.2}), {}", shared(s))
            }
        }
    }
}

/// Two customers that are probably the same, `a` before `b` by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// 1 - the product of (1 - weight) over the reasons: each reason adds certainty.
    pub score: f64,
    pub reasons: Vec<Reason>,
}

impl Pair {
    /// The reasons joined for one line of text.
    pub fn describe(&self) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(Reason::describe).collect();
        reasons.join("; ")
    }
}

/// Customers linked by pairs that reach the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Sorted by id.
    pub customers: Vec<String>,
    /// The best score among its pairs.
    pub score: f64,
    pub pairs: Vec<Pair>,
}

/// What a search found, and how many pairs it compared to find it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Best score first, then by first id.
    pub groups: Vec<Group>,
    pub comparisons: usize,
}

/// What the customers of a block share.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Block<'k> {
    Email(&'k str),
    Phone(&'k str),
    Name(&'k str),
    Company(&'k str),
    Domain(&'k str),
}

/// The customers with their keys, blocked by them.
struct Index<'c> {
    customers: &'c [Customer],
    keys: Vec<Keys>,
}

impl<'c> Index<'c> {
    fn new(customers: &'c [Customer], region: Option<phonenumber::country::Id>) -> Index<'c> {
        let keys = customers.iter().map(|c| Keys::of(c, region)).collect();
        Index { customers, keys }
    }

    /// The pairs worth comparing: within each block, each customer with its
    /// next [`WINDOW`] neighbours in name order (all pairs of a small block).
    fn candidate_pairs(&self) -> Vec<(usize, usize)> {
        let mut blocks: HashMap<Block<'_>, Vec<usize>> = HashMap::new();
        for (i, keys) in self.keys.iter().enumerate() {
            for block in keys.blocks() {
                blocks.entry(block).or_default().push(i);
            }
        }
        let mut seen: HashSet<(usize, usize)> = HashSet::new();
        let mut pairs = Vec::new();
        for members in blocks.values_mut().filter(|members| members.len() > 1) {
            members.sort_by(|&x, &y| {
                (&self.keys[x].name, &self.customers[x].id)
                    .cmp(&(&self.keys[y].name, &self.customers[y].id))
            });
            for (at, &x) in members.iter().enumerate() {
                for &y in members.iter().skip(at + 1).take(WINDOW) {
                    let pair = (x.min(y), x.max(y));
                    if seen.insert(pair) {
                        pairs.push(pair);
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs
    }

    /// The reasons customers `x` and `y` look like one, as a pair if any.
    fn compare(&self, x: usize, y: usize) -> Option<Pair> {
        let (cx, cy) = (&self.customers[x], &self.customers[y]);
        // A person and their organization share phones and domains by right.
        if cx.kind != cy.kind {
            return None;
        }
        let (kx, ky) = (&self.keys[x], &self.keys[y]);
        let mut reasons: Vec<Reason> = Vec::new();
        reasons.extend(
            shared(&kx.emails, &ky.emails).map(|email| Reason::SameEmail {
                email: email.clone(),
            }),
        );
        reasons.extend(
            shared(&kx.phones, &ky.phones).map(|phone| Reason::SamePhone {
                phone: phone.clone(),
            }),
        );
        let context = match (&kx.company, &ky.company) {
            (Some(a), Some(b)) if a == b => Some(Shared::Company(a.clone())),
            _ => shared(&kx.domains, &ky.domains)
                .next()
                .map(|domain| Shared::Domain(domain.clone())),
        };
        if let Some(shared) = context
            && !kx.name.is_empty()
        {
            if kx.name == ky.name {
                reasons.push(Reason::SameName { shared });
            } else {
                let similarity = strsim::jaro_winkler(&kx.name, &ky.name);
                if similarity >= SIMILAR_NAME {
                    let similarity = (similarity * 100.0).round() / 100.0;
                    reasons.push(Reason::SimilarName { similarity, shared });
                }
            }
        }
        if reasons.is_empty() {
            return None;
        }
        let doubt: f64 = reasons.iter().map(|r| 1.0 - r.weight()).product();
        let score = ((1.0 - doubt) * 1000.0).round() / 1000.0;
        let (a, b) = if cx.id <= cy.id { (cx, cy) } else { (cy, cx) };
        Some(Pair {
            a: a.id.to_string(),
            b: b.id.to_string(),
            score,
            reasons,
        })
    }
}

/// The items two sorted lists share.
fn shared<'a>(xs: &'a [String], ys: &'a [String]) -> impl Iterator<Item = &'a String> {
    xs.iter().filter(move |x| ys.binary_search(x).is_ok())
}

/// The groups of customers that are probably the same, their pairs scoring
/// at least `threshold`.
pub fn find(
    customers: &[Customer],
    region: Option<phonenumber::country::Id>,
    threshold: f64,
) -> Found {
    let index = Index::new(customers, region);
    let candidates = index.candidate_pairs();
    let comparisons = candidates.len();
    let pairs: Vec<Pair> = candidates
        .into_iter()
        .filter_map(|(x, y)| index.compare(x, y))
        .filter(|pair| pair.score >= threshold)
        .collect();
    Found {
        groups: grouped(pairs),
        comparisons,
    }
}

/// The pairs that link the customers `new` to others (new or not), for the
/// note an add or an import prints; in each, `b` is a new customer, `a` the
/// one it looks like.
pub fn involving(
    customers: &[Customer],
    new: &HashSet<&str>,
    region: Option<phonenumber::country::Id>,
) -> Vec<Pair> {
    // Only the customers that share a block with a new one can pair with it:
    // they are found without reading every phone number of the store.
    let fresh: Vec<Keys> = (customers.iter())
        .filter(|c| new.contains(c.id.as_str()))
        .map(|c| Keys::of(c, region))
        .collect();
    let blocks: HashSet<Block<'_>> = fresh.iter().flat_map(Keys::blocks).collect();
    let endings: HashSet<String> = (customers.iter())
        .filter(|c| new.contains(c.id.as_str()))
        .flat_map(|c| c.phones.iter().map(|p| phone_ending(p)))
        .collect();
    let near: Vec<Customer> = (customers.iter())
        .filter(|c| {
            new.contains(c.id.as_str())
                || Keys::with_phones(c, region, |p| endings.contains(&phone_ending(p)))
                    .blocks()
                    .any(|block| blocks.contains(&block))
        })
        .cloned()
        .collect();
    let found = find(&near, region, DEFAULT_THRESHOLD);
    (found.groups.into_iter())
        .flat_map(|group| group.pairs)
        .filter_map(|mut pair| {
            if !new.contains(pair.b.as_str()) {
                std::mem::swap(&mut pair.a, &mut pair.b);
            }
            new.contains(pair.b.as_str()).then_some(pair)
        })
        .collect()
}

/// A campaign's frozen `members` with each merged customer's id replaced by
/// the id of the customer kept (once, if it was a member too), when any is.
pub fn members_renamed<'k>(
    members: &[String],
    kept_for: impl Fn(&str) -> Option<&'k str>,
) -> Option<Vec<String>> {
    if !members.iter().any(|m| kept_for(m).is_some()) {
        return None;
    }
    let mut renamed: Vec<String> = Vec::with_capacity(members.len());
    for member in members {
        let member = kept_for(member).unwrap_or(member);
        if !renamed.iter().any(|m| m == member) {
            renamed.push(member.to_string());
        }
    }
    Some(renamed)
}

/// Pairs joined into groups of customers linked by them (union-find).
fn grouped(pairs: Vec<Pair>) -> Vec<Group> {
    // Each customer by number, and the parent of each (itself at a root).
    let mut number: HashMap<&str, usize> = HashMap::new();
    for pair in &pairs {
        for id in [pair.a.as_str(), pair.b.as_str()] {
            let next = number.len();
            number.entry(id).or_insert(next);
        }
    }
    let mut parent: Vec<usize> = (0..number.len()).collect();
    fn root(parent: &mut [usize], mut at: usize) -> usize {
        while parent[at] != at {
            // Path halving keeps every chain short.
            parent[at] = parent[parent[at]];
            at = parent[at];
        }
        at
    }
    for pair in &pairs {
        let a = root(&mut parent, number[pair.a.as_str()]);
        let b = root(&mut parent, number[pair.b.as_str()]);
        parent[a.max(b)] = a.min(b);
    }
    let roots: Vec<usize> = (pairs.iter())
        .map(|pair| root(&mut parent, number[pair.a.as_str()]))
        .collect();
    let mut by_root: HashMap<usize, Vec<Pair>> = HashMap::new();
    for (pair, root) in pairs.into_iter().zip(roots) {
        by_root.entry(root).or_default().push(pair);
    }
    let mut groups: Vec<Group> = by_root
        .into_values()
        .map(|mut pairs| {
            pairs.sort_by(|p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
            let mut customers: Vec<String> = (pairs.iter())
                .flat_map(|p| [p.a.clone(), p.b.clone()])
                .collect();
            customers.sort();
            customers.dedup();
            let score = pairs.iter().map(|p| p.score).fold(0.0, f64::max);
            Group {
                customers,
                score,
                pairs,
            }
        })
        .collect();
    groups.sort_by(|g, h| {
        h.score
            .total_cmp(&g.score)
            .then_with(|| g.customers.cmp(&h.customers))
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::CustomerKind;
    use compact_str::CompactString;

    fn person(id: &str, name: &str, company: Option<&str>, emails: &[&str]) -> Customer {
        let mut c = Customer::new(id, name.into(), CustomerKind::Person);
        c.company = company.map(CompactString::from);
        c.emails = emails.iter().map(|e| e.to_string()).collect();
        c
    }

    fn nl() -> Option<phonenumber::country::Id> {
        phone_region("nl")
    }

    fn groups(customers: &[Customer]) -> Vec<Vec<String>> {
        (find(customers, nl(), DEFAULT_THRESHOLD).groups.into_iter())
            .map(|g| g.customers)
            .collect()
    }

    #[test]
    fn gmail_addresses_ignore_dots_and_tags() {
        assert_eq!(
            normalize_email("J.DeVries@Gmail.com"),
            normalize_email("jdevries+crm@googlemail.com")
        );
        assert_eq!(normalize_email(" Ann@Acme.NL "), "ann@acme.nl");
        assert_ne!(normalize_email("j.devries@acme.nl"), "jdevries@acme.nl");
        assert_eq!(normalize_email("no-at-sign"), "no-at-sign");
    }

    #[test]
    fn phones_become_e164_in_the_default_region() {
        assert_eq!(
            normalize_phone("06 1234 5678", nl()).as_deref(),
            Some("+31612345678")
        );
        assert_eq!(
            normalize_phone("+31 (0)6-12345678", None).as_deref(),
            Some("+31612345678")
        );
        // Unknown to the metadata without a region: the digits still match.
        assert_eq!(
            normalize_phone("06-1234 5678", None).as_deref(),
            Some("0612345678")
        );
        assert_eq!(normalize_phone("12", None), None);
        assert_eq!(phone_region("xx"), None);
    }

    #[test]
    fn public_providers_are_not_shared_domains() {
        for domain in [
            "gmail.com",
            "hotmail.co.uk",
            "yahoo.fr",
            "web.de",
            "ziggo.nl",
        ] {
            assert!(is_public_domain(domain), "{domain}");
        }
        for domain in ["acme.nl", "mail.acme.com", "webde.com"] {
            assert!(!is_public_domain(domain), "{domain}");
        }
    }

    /// Known duplicates and known near-misses.
    fn fixture() -> Vec<Customer> {
        let mut acme_phone = person("acme-corp", "Acme Corp", None, &["info@acme.nl"]);
        acme_phone.kind = CustomerKind::Organization;
        acme_phone.phones = vec!["+31 20 123 4567".into()];
        let mut acme_2 = person("acme-corp-2", "ACME Corporation", None, &[]);
        acme_2.kind = CustomerKind::Organization;
        acme_2.phones = vec!["020-1234567".into()];
        vec![
            // Same gmail mailbox.
            person("jan", "Jan de Vries", None, &["j.devries@gmail.com"]),
            person("jan-2", "J. de Vries", None, &["jdevries+crm@gmail.com"]),
            // Two people called Jan de Vries, elsewhere, other addresses.
            person(
                "jan-de-vries",
                "Jan de Vries",
                Some("Bakkerij Noord"),
                &["jan@noord.nl"],
            ),
            person(
                "jan-de-vries-2",
                "Jan de Vries",
                Some("Garage Zuid"),
                &["jan@zuid.nl"],
            ),
            // Word order and accents at one company.
            person(
                "chloe",
                "Chloé Martin",
                Some("Globex"),
                &["chloe@globex.fr"],
            ),
            person("martin-chloe", "MARTIN, Chloe", Some("globex"), &[]),
            // A typo, sharing a company's domain.
            person("katherine", "Katherine Johnson", None, &["kj@nasa.gov"]),
            person(
                "katharine",
                "Katharine Johnson",
                None,
                &["k.johnson@nasa.gov"],
            ),
            // Similar names at a public provider: not a pair.
            person("peter", "Peter Jansen", None, &["peter@hotmail.com"]),
            person("pieter", "Pieter Jansen", None, &["pieter@hotmail.com"]),
            // The same phone, written two ways.
            acme_phone,
            acme_2,
            // A person shares the organization's phone: not a pair.
            {
                let mut p = person("ann", "Ann", Some("Acme Corp"), &[]);
                p.phones = vec!["+31201234567".into()];
                p
            },
        ]
    }

    #[test]
    fn finds_the_known_duplicates_and_none_of_the_near_misses() {
        let found = groups(&fixture());
        let expected: Vec<Vec<String>> = [
            vec!["jan", "jan-2"],
            vec!["acme-corp", "acme-corp-2"],
            vec!["chloe", "martin-chloe"],
            vec!["katharine", "katherine"],
        ]
        .iter()
        .map(|g| g.iter().map(|s| s.to_string()).collect())
        .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn pairs_carry_their_reasons_and_scores() {
        let found = find(&fixture(), nl(), DEFAULT_THRESHOLD);
        let pair = |a: &str| {
            (found.groups.iter())
                .flat_map(|g| &g.pairs)
                .find(|p| p.a == a)
                .unwrap()
                .clone()
        };
        assert_eq!(pair("jan").describe(), "same e-mail jdevries@gmail.com");
        assert_eq!(pair("jan").score, 0.95);
        assert_eq!(pair("acme-corp").describe(), "same phone +31201234567");
        assert_eq!(pair("chloe").describe(), "same name, same company globex");
        let typo = pair("katharine");
        assert!(typo.describe().starts_with("similar name (0.9"), "{typo:?}");
        assert!(typo.describe().ends_with("same e-mail domain nasa.gov"));
        // A higher threshold keeps only the surer pairs.
        let sure = find(&fixture(), nl(), 0.9);
        assert_eq!(sure.groups.len(), 2);
    }

    #[test]
    fn several_reasons_add_up_and_groups_join_pairs() {
        let mut a = person("a", "Ann Smith", Some("Initech"), &["ann@initech.com"]);
        a.phones = vec!["0612345678".into()];
        let mut b = person("b", "Ann Smith", Some("Initech"), &["ANN@initech.com"]);
        b.phones = vec!["+31612345678".into()];
        let c = person("c", "A. Smith", None, &["ann@initech.com"]);
        let found = find(&[a, b, c], nl(), DEFAULT_THRESHOLD);
        assert_eq!(found.groups.len(), 1);
        let group = &found.groups[0];
        assert_eq!(group.customers, ["a", "b", "c"]);
        assert_eq!(group.pairs[0].reasons.len(), 3);
        assert_eq!(group.score, 0.999);
    }

    #[test]
    fn a_hundred_thousand_customers_take_a_bounded_number_of_comparisons() {
        let companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"];
        let first = ["Jan", "Ann", "Piet", "Mia", "Tom", "Eva", "Sam", "Noor"];
        let customers: Vec<Customer> = (0..100_000)
            .map(|i| {
                let name = format!("{} Person{}", first[i % first.len()], i / 3);
                let company = companies[i % companies.len()];
                let email = format!("user{}@{}.com", i / 2, company.to_lowercase());
                let mut c = person(&format!("c{i}"), &name, Some(company), &[&email]);
                c.phones = vec![format!("+3161{:07}", i / 4)];
                c
            })
            .collect();
        let found = find(&customers, nl(), DEFAULT_THRESHOLD);
        // Every customer is in at most five blocks, each compared with WINDOW
        // neighbours at most: far from the 5e9 pairs of all against all.
        assert!(
            found.comparisons <= customers.len() * 5 * WINDOW,
            "{} comparisons",
            found.comparisons
        );
        assert!(!found.groups.is_empty());
        // A new customer is matched against the few that share a key with it.
        let pairs = involving(&customers, &["c5"].into_iter().collect(), nl());
        assert!(pairs.iter().all(|p| p.b == "c5"), "{pairs:?}");
        let same_phone: Vec<&str> = (pairs.iter())
            .filter(|p| matches!(p.reasons[0], Reason::SamePhone { .. }))
            .map(|p| p.a.as_str())
            .collect();
        assert_eq!(same_phone, ["c4", "c6", "c7"]);
    }

    #[test]
    fn merged_members_are_renamed_once() {
        let members: Vec<String> = ["a", "b", "c"].iter().map(|m| m.to_string()).collect();
        let kept = |m: &str| (m == "b").then_some("a");
        assert_eq!(
            members_renamed(&members, kept),
            Some(vec!["a".into(), "c".into()])
        );
        assert_eq!(members_renamed(&members, |_| None), None);
    }

    #[test]
    fn new_customers_are_matched_against_the_others() {
        let customers = fixture();
        for (new, like) in [("acme-corp-2", "acme-corp"), ("acme-corp", "acme-corp-2")] {
            let pairs = involving(&customers, &[new].into_iter().collect(), nl());
            assert_eq!(pairs.len(), 1);
            assert_eq!((pairs[0].a.as_str(), pairs[0].b.as_str()), (like, new));
        }
    }
}
