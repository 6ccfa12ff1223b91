//! The CSV interchange format: a folder of CSV files, the way users bring data from their CRM,
//! help desk, community and idea portal.
//!
//! | file | columns | required |
//! |---|---|---|
//! | `customers.csv` | `id,name,segment,relationship,since` | yes |
//! | `interactions.csv` | `customer_id,at,channel,kind,topic` | yes |
//! | `ideas.csv` | `id,customer_id,submitted_at,topic,status,votes[,decided_at]` | no |
//! | `sessions.csv` | `id,held_at,topic,title` | no |
//! | `participants.csv` | `session_id,customer_id,invited,attended,contributions,rating` | no |
//! | `responses.csv` | `customer_id,item,value[,answered_at]` | no |
//!
//! Every file has a header row and is UTF-8, comma-separated. Columns may come in any order and
//! unknown extra columns are ignored; the columns marked optional below may be left out.
//! An empty cell means "absent" for an optional field. Times are `YYYY-MM-DD` (midnight UTC) or
//! RFC 3339 with an offset; `since` is a date. Booleans are `true`/`false`, `1`/`0` or
//! `yes`/`no`. Enum values are the lower_snake_case names of [`Channel`], [`InteractionKind`],
//! [`IdeaStatus`] and [`Relationship`]. Leading and trailing spaces of a cell are ignored.
//!
//! Optional columns: `name`, `segment`, `relationship` (default `customer`) and `since` in
//! customers; `topic` in interactions; `topic`, `votes` (default 0) and `decided_at` in ideas;
//! `topic` and `title` in sessions; `contributions` (default 0) and `rating` in participants;
//! `answered_at` in responses (questionnaire answers: see [`evidence`](crate::evidence)).
//!
//! A malformed row is an error naming the file, the line, the field and the value; no row is
//! ever skipped.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, ReaderBuilder, Trim};

use crate::population::builder::{IdeaFields, InteractionFields, Locator, ParticipationFields};
use crate::time::{EXPECTED_TIME, parse_seconds};
use crate::{
    Channel, Error, IdeaStatus, InteractionKind, Location, Population, PopulationBuilder, Problem,
    Relationship, Result, Table,
};

/// Reads a CSV folder into a validated [`Population`].
///
/// `customers.csv` and `interactions.csv` are required; the other files are read when present.
///
/// ```no_run
/// let population = lead_customers::read_csv_folder("exports/2024-06")?;
/// println!("{}", population.summary());
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn read_csv_folder(dir: impl AsRef<Path>) -> Result<Population> {
    let dir = dir.as_ref();
    let mut builder = PopulationBuilder::new();
    let required = |table: Table| {
        let path = dir.join(table.file_name());
        if path.is_file() {
            Ok(path)
        } else {
            Err(Error::MissingFile { path })
        }
    };
    let optional = |table: Table| Some(dir.join(table.file_name())).filter(|p| p.is_file());

    read_customers(&mut builder, required(Table::Customers)?)?;
    let interactions = required(Table::Interactions)?;
    if let Some(path) = optional(Table::Sessions) {
        read_sessions(&mut builder, path)?;
    }
    read_interactions(&mut builder, interactions)?;
    if let Some(path) = optional(Table::Ideas) {
        read_ideas(&mut builder, path)?;
    }
    if let Some(path) = optional(Table::Participants) {
        read_participants(&mut builder, path)?;
    }
    if let Some(path) = optional(Table::Responses) {
        let mut sheet = Sheet::open(path)?;
        builder.set_source(Table::Responses, sheet.locator());
        let columns = ResponseSheet::columns(&sheet)?;
        while sheet.next()? {
            let (customer, item, value, answered_at) = columns.row(&sheet)?;
            builder.response_at(sheet.offset(), customer, item, value, answered_at)?;
        }
    }
    builder.build()
}

/// One open CSV file: its reader, the positions of the columns we use, and the current row.
struct Sheet {
    path: PathBuf,
    reader: csv::Reader<BufReader<File>>,
    header: Vec<Vec<u8>>,
    row: ByteRecord,
}

impl Sheet {
    fn open(path: PathBuf) -> Result<Sheet> {
        let file = File::open(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .trim(Trim::All)
            .from_reader(BufReader::with_capacity(1 << 20, file));
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(&path, &e))?
            .iter()
            .map(|h| h.to_vec())
            .collect();
        Ok(Sheet {
            path,
            reader,
            header,
            row: ByteRecord::new(),
        })
    }

    fn column(&self, name: &'static str) -> Option<usize> {
        self.header.iter().position(|h| h == name.as_bytes())
    }

    fn required(&self, name: &'static str) -> Result<usize> {
        self.column(name).ok_or_else(|| Error::MissingColumn {
            path: self.path.clone(),
            column: name,
        })
    }

    /// Reads the next row; `false` at the end of the file.
    fn next(&mut self) -> Result<bool> {
        self.reader
            .read_byte_record(&mut self.row)
            .map_err(|e| csv_error(&self.path, &e))
    }

    /// The current row's byte offset: its position for the builder.
    fn offset(&self) -> u64 {
        self.row.position().map_or(0, |p| p.byte())
    }

    fn location(&self) -> Location {
        Location::Csv {
            file: self.path.clone(),
            line: line_at(&self.path, self.offset()),
        }
    }

    /// Tells the builder where this sheet's records come from.
    fn locator(&self) -> Locator {
        let file = self.path.clone();
        Locator(Box::new(move |offset| Location::Csv {
            line: line_at(&file, offset),
            file: file.clone(),
        }))
    }

    fn error(&self, field: &'static str, value: &[u8], problem: Problem) -> Error {
        Error::Record {
            location: self.location(),
            field,
            value: String::from_utf8_lossy(value).into_owned(),
            problem,
        }
    }

    /// The text of an optional cell: `None` when the column is absent or the cell empty.
    fn text(&self, column: Option<usize>, field: &'static str) -> Result<Option<&str>> {
        let Some(bytes) = column
            .and_then(|c| self.row.get(c))
            .filter(|b| !b.is_empty())
        else {
            return Ok(None);
        };
        std::str::from_utf8(bytes).map(Some).map_err(|_| {
            self.error(
                field,
                bytes,
                Problem::Unparsable {
                    expected: "UTF-8 text".into(),
                },
            )
        })
    }

    /// The text of a required cell.
    fn required_text(&self, column: usize, field: &'static str) -> Result<&str> {
        self.text(Some(column), field)?
            .ok_or_else(|| self.error(field, b"", Problem::Missing))
    }

    fn time(&self, column: Option<usize>, field: &'static str) -> Result<Option<i64>> {
        match self.text(column, field)? {
            None => Ok(None),
            Some(text) => parse_seconds(text.as_bytes())
                .map(Some)
                .ok_or_else(|| self.error(field, text.as_bytes(), unparsable(EXPECTED_TIME))),
        }
    }

    fn required_time(&self, column: usize, field: &'static str) -> Result<i64> {
        self.time(Some(column), field)?
            .ok_or_else(|| self.error(field, b"", Problem::Missing))
    }

    fn parsed<T: std::str::FromStr<Err = crate::UnknownName>>(
        &self,
        column: Option<usize>,
        field: &'static str,
    ) -> Result<Option<T>> {
        match self.text(column, field)? {
            None => Ok(None),
            Some(text) => text.parse::<T>().map(Some).map_err(|e| {
                self.error(
                    field,
                    text.as_bytes(),
                    unparsable(&format!("one of: {}", e.expected.trim())),
                )
            }),
        }
    }

    fn required_parsed<T: std::str::FromStr<Err = crate::UnknownName>>(
        &self,
        column: usize,
        field: &'static str,
    ) -> Result<T> {
        self.parsed(Some(column), field)?
            .ok_or_else(|| self.error(field, b"", Problem::Missing))
    }

    fn count(&self, column: Option<usize>, field: &'static str) -> Result<u32> {
        let Some(text) = self.text(column, field)? else {
            return Ok(0);
        };
        match text.parse::<i64>() {
            Ok(n) if n < 0 => Err(self.error(field, text.as_bytes(), Problem::Negative)),
            Ok(n) => u32::try_from(n).map_err(|_| {
                self.error(
                    field,
                    text.as_bytes(),
                    Problem::OutOfRange {
                        allowed: "at most 4294967295".into(),
                    },
                )
            }),
            Err(_) => match text.parse::<f64>() {
                Ok(x) if !x.is_finite() => {
                    Err(self.error(field, text.as_bytes(), Problem::NonFinite))
                }
                Ok(x) if x < 0.0 => Err(self.error(field, text.as_bytes(), Problem::Negative)),
                _ => Err(self.error(field, text.as_bytes(), unparsable("a whole number"))),
            },
        }
    }

    fn number(&self, column: Option<usize>, field: &'static str) -> Result<Option<f64>> {
        match self.text(column, field)? {
            None => Ok(None),
            Some(text) => text
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.error(field, text.as_bytes(), unparsable("a number"))),
        }
    }

    fn boolean(&self, column: usize, field: &'static str) -> Result<bool> {
        let text = self.required_text(column, field)?;
        let is = |word: &str| text.eq_ignore_ascii_case(word);
        if is("true") || is("1") || is("yes") {
            Ok(true)
        } else if is("false") || is("0") || is("no") {
            Ok(false)
        } else {
            Err(self.error(
                field,
                text.as_bytes(),
                unparsable("true/false, 1/0 or yes/no"),
            ))
        }
    }
}

fn unparsable(expected: &str) -> Problem {
    Problem::Unparsable {
        expected: expected.to_owned(),
    }
}

/// The 1-based line of the record starting at a byte offset, counted from the file itself: the
/// CSV reader counts neither the blank lines it skips nor the bytes they take, so the blank lines
/// right after the offset are counted too. Only called to report an error.
pub(crate) fn line_at(path: &Path, offset: u64) -> u64 {
    use std::io::Read;
    let Ok(file) = File::open(path) else { return 0 };
    let mut reader = BufReader::new(file);
    let mut buffer = vec![0u8; 1 << 16];
    let (mut newlines, mut read, mut in_record) = (0, 0u64, false);
    while let Ok(n @ 1..) = reader.read(&mut buffer) {
        for &byte in &buffer[..n] {
            if read >= offset && byte != b'\n' && byte != b'\r' {
                in_record = true;
                break;
            }
            newlines += u64::from(byte == b'\n');
            read += 1;
        }
        if in_record {
            break;
        }
    }
    newlines + 1
}

fn csv_error(path: &Path, error: &csv::Error) -> Error {
    let line = error.position().map_or(0, |p| line_at(path, p.byte()));
    let location = Location::Csv {
        file: path.to_path_buf(),
        line,
    };
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, .. } => Error::Record {
            location,
            field: "(row)",
            value: String::new(),
            problem: Problem::WrongFieldCount {
                expected: *expected_len as usize,
            },
        },
        csv::ErrorKind::Io(e) => Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(e.kind(), e.to_string()),
        },
        _ => Error::Csv {
            location,
            message: error.to_string(),
        },
    }
}

fn read_customers(builder: &mut PopulationBuilder, path: PathBuf) -> Result<()> {
    let mut sheet = Sheet::open(path)?;
    builder.set_source(Table::Customers, sheet.locator());
    let id = sheet.required("id")?;
    let (name, segment) = (sheet.column("name"), sheet.column("segment"));
    let (relationship, since) = (sheet.column("relationship"), sheet.column("since"));
    while sheet.next()? {
        let since = match sheet.text(since, "since")? {
            None => None,
            Some(text) => Some(parse_date(text).ok_or_else(|| {
                sheet.error("since", text.as_bytes(), unparsable("a date YYYY-MM-DD"))
            })?),
        };
        builder.customer_at(
            sheet.offset(),
            sheet.required_text(id, "id")?,
            sheet.text(name, "name")?.map(str::to_owned),
            sheet.text(segment, "segment")?.map(str::to_owned),
            sheet
                .parsed::<Relationship>(relationship, "relationship")?
                .unwrap_or_default(),
            since,
        )?;
    }
    Ok(())
}

fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    text.parse::<jiff::civil::Date>()
        .ok()
        .filter(|_| text.len() == 10)
}

fn read_interactions(builder: &mut PopulationBuilder, path: PathBuf) -> Result<()> {
    let mut sheet = Sheet::open(path)?;
    builder.set_source(Table::Interactions, sheet.locator());
    let customer = sheet.required("customer_id")?;
    let at = sheet.required("at")?;
    let channel = sheet.required("channel")?;
    let kind = sheet.required("kind")?;
    let topic = sheet.column("topic");
    while sheet.next()? {
        let fields = InteractionFields {
            customer: sheet.required_text(customer, "customer_id")?,
            at: sheet.required_time(at, "at")?,
            channel: sheet.required_parsed::<Channel>(channel, "channel")?,
            kind: sheet.required_parsed::<InteractionKind>(kind, "kind")?,
            topic: sheet.text(topic, "topic")?,
        };
        builder.interaction_at(sheet.offset(), fields)?;
    }
    Ok(())
}

fn read_ideas(builder: &mut PopulationBuilder, path: PathBuf) -> Result<()> {
    let mut sheet = Sheet::open(path)?;
    builder.set_source(Table::Ideas, sheet.locator());
    let id = sheet.required("id")?;
    let author = sheet.required("customer_id")?;
    let submitted = sheet.required("submitted_at")?;
    let status = sheet.required("status")?;
    let (topic, votes, decided) = (
        sheet.column("topic"),
        sheet.column("votes"),
        sheet.column("decided_at"),
    );
    while sheet.next()? {
        let fields = IdeaFields {
            id: sheet.required_text(id, "id")?,
            author: sheet.required_text(author, "customer_id")?,
            submitted_at: sheet.required_time(submitted, "submitted_at")?,
            topic: sheet.text(topic, "topic")?,
            status: sheet.required_parsed::<IdeaStatus>(status, "status")?,
            votes: sheet.count(votes, "votes")?,
            decided_at: sheet.time(decided, "decided_at")?,
        };
        builder.idea_at(sheet.offset(), fields)?;
    }
    Ok(())
}

fn read_sessions(builder: &mut PopulationBuilder, path: PathBuf) -> Result<()> {
    let mut sheet = Sheet::open(path)?;
    builder.set_source(Table::Sessions, sheet.locator());
    let id = sheet.required("id")?;
    let held = sheet.required("held_at")?;
    let (topic, title) = (sheet.column("topic"), sheet.column("title"));
    while sheet.next()? {
        builder.session_at(
            sheet.offset(),
            sheet.required_text(id, "id")?,
            sheet.required_time(held, "held_at")?,
            sheet.text(topic, "topic")?,
            sheet.text(title, "title")?.map(str::to_owned),
        )?;
    }
    Ok(())
}

/// The columns of `responses.csv`: `customer_id`, `item`, `value` and the optional
/// `answered_at`.
struct ResponseSheet {
    customer: usize,
    item: usize,
    value: usize,
    answered_at: Option<usize>,
}

impl ResponseSheet {
    fn columns(sheet: &Sheet) -> Result<ResponseSheet> {
        Ok(ResponseSheet {
            customer: sheet.required("customer_id")?,
            item: sheet.required("item")?,
            value: sheet.required("value")?,
            answered_at: sheet.column("answered_at"),
        })
    }

    /// One answer: customer, item, a finite value, and when it was given.
    fn row<'s>(&self, sheet: &'s Sheet) -> Result<(&'s str, &'s str, f64, Option<i64>)> {
        let value = sheet
            .number(Some(self.value), "value")?
            .ok_or_else(|| sheet.error("value", b"", Problem::Missing))?;
        if !value.is_finite() {
            return Err(sheet.error("value", value.to_string().as_bytes(), Problem::NonFinite));
        }
        Ok((
            sheet.required_text(self.customer, "customer_id")?,
            sheet.required_text(self.item, "item")?,
            value,
            sheet.time(self.answered_at, "answered_at")?,
        ))
    }
}

/// Reads a `responses.csv` file on its own: each answer with the byte offset of its row (turn it
/// into a line with [`line_at`] when an error needs it).
pub(crate) fn response_rows(path: &Path) -> Result<Vec<(u64, crate::evidence::Response)>> {
    if !path.is_file() {
        return Err(Error::MissingFile {
            path: path.to_path_buf(),
        });
    }
    let mut sheet = Sheet::open(path.to_path_buf())?;
    let columns = ResponseSheet::columns(&sheet)?;
    let mut rows = Vec::new();
    while sheet.next()? {
        let (customer, item, value, answered_at) = columns.row(&sheet)?;
        let mut response = crate::evidence::Response::new(customer, item, value);
        response.answered_at = answered_at.map(crate::population::timestamp);
        rows.push((sheet.offset(), response));
    }
    Ok(rows)
}

fn read_participants(builder: &mut PopulationBuilder, path: PathBuf) -> Result<()> {
    let mut sheet = Sheet::open(path)?;
    builder.set_source(Table::Participants, sheet.locator());
    let session = sheet.required("session_id")?;
    let customer = sheet.required("customer_id")?;
    let invited = sheet.required("invited")?;
    let attended = sheet.required("attended")?;
    let (contributions, rating) = (sheet.column("contributions"), sheet.column("rating"));
    while sheet.next()? {
        let fields = ParticipationFields {
            session: sheet.required_text(session, "session_id")?,
            customer: sheet.required_text(customer, "customer_id")?,
            invited: sheet.boolean(invited, "invited")?,
            attended: sheet.boolean(attended, "attended")?,
            contributions: sheet.count(contributions, "contributions")?,
            rating: sheet.number(rating, "rating")?,
        };
        builder.participation_at(sheet.offset(), fields)?;
    }
    Ok(())
}

/// Writes a population as a CSV folder (creating the folder if needed), all six files, in the
/// format [`read_csv_folder`] reads. Times are written as RFC 3339 in UTC.
///
/// ```
/// # use lead_customers::synthetic::{Generator, GeneratorConfig};
/// let base = Generator::new(GeneratorConfig { customers: 50, ..Default::default() }).generate()?;
/// let dir = std::env::temp_dir().join(format!("lead-customers-doc-{}", std::process::id()));
/// lead_customers::write_csv_folder(&base.population, &dir)?;
/// let again = lead_customers::read_csv_folder(&dir)?;
/// assert_eq!(again, base.population);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn write_csv_folder(population: &Population, dir: impl AsRef<Path>) -> Result<()> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let opt = |s: Option<&str>| s.unwrap_or("").to_owned();
    let time = |t: jiff::Timestamp| t.to_string();

    write_table(
        dir,
        Table::Customers,
        &["id", "name", "segment", "relationship", "since"],
        |w| {
            for c in population.customer_records() {
                let since = c.since.map(|d| d.to_string()).unwrap_or_default();
                w.write_record([
                    c.id.as_str(),
                    &opt(c.name.as_deref()),
                    &opt(c.segment.as_deref()),
                    c.relationship.as_str(),
                    &since,
                ])?;
            }
            Ok(())
        },
    )?;
    write_table(
        dir,
        Table::Interactions,
        &["customer_id", "at", "channel", "kind", "topic"],
        |w| {
            for c in population.customers() {
                let id = population.customer_id(c).as_str();
                for i in population.interactions(c).iter() {
                    let topic = i.topic.map(|t| population.topic_name(t)).unwrap_or("");
                    w.write_record([id, &time(i.at), i.channel.as_str(), i.kind.as_str(), topic])?;
                }
            }
            Ok(())
        },
    )?;
    let idea_header = [
        "id",
        "customer_id",
        "submitted_at",
        "topic",
        "status",
        "votes",
        "decided_at",
    ];
    write_table(dir, Table::Ideas, &idea_header, |w| {
        for i in population.idea_records() {
            let decided = i.decided_at.map(time).unwrap_or_default();
            w.write_record([
                i.id.as_str(),
                i.author.as_str(),
                &time(i.submitted_at),
                &opt(i.topic.as_deref()),
                i.status.as_str(),
                &i.votes.to_string(),
                &decided,
            ])?;
        }
        Ok(())
    })?;
    write_table(
        dir,
        Table::Sessions,
        &["id", "held_at", "topic", "title"],
        |w| {
            for s in population.session_records() {
                w.write_record([
                    s.id.as_str(),
                    &time(s.held_at),
                    &opt(s.topic.as_deref()),
                    &opt(s.title.as_deref()),
                ])?;
            }
            Ok(())
        },
    )?;
    let header = [
        "session_id",
        "customer_id",
        "invited",
        "attended",
        "contributions",
        "rating",
    ];
    write_table(dir, Table::Participants, &header, |w| {
        for p in population.participation_records() {
            let rating = p.rating.map(|r| r.to_string()).unwrap_or_default();
            w.write_record([
                p.session.as_str(),
                p.customer.as_str(),
                if p.invited { "true" } else { "false" },
                if p.attended { "true" } else { "false" },
                &p.contributions.to_string(),
                &rating,
            ])?;
        }
        Ok(())
    })?;
    write_table(
        dir,
        Table::Responses,
        &["customer_id", "item", "value", "answered_at"],
        |w| {
            for r in population.response_records() {
                let at = r.answered_at.map(time).unwrap_or_default();
                w.write_record([r.customer.as_str(), &r.item, &r.value.to_string(), &at])?;
            }
            Ok(())
        },
    )
}

fn write_table(
    dir: &Path,
    table: Table,
    header: &[&str],
    rows: impl FnOnce(&mut csv::Writer<BufWriter<File>>) -> csv::Result<()>,
) -> Result<()> {
    let path = dir.join(table.file_name());
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let file = File::create(&path).map_err(io)?;
    let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let written = writer.write_record(header).and_then(|()| rows(&mut writer));
    written.map_err(|e| csv_error(&path, &e))?;
    writer.flush().map_err(io)
}
