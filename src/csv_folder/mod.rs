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
//! Every file has a header row and is UTF-8, comma-separated. Columns may come in any order, and
//! the columns marked optional below may be left out. Names are matched exactly, and unknown
//! extra columns are ignored, except one whose name is close to a column of its file (the same
//! in lower case, with a space, hyphen or dot for an underscore, and without a trailing `s`:
//! `Topic`, `Customer ID`, `vote`): its values would go unread, silently, so the header is
//! refused ([`Problem::MisnamedColumn`]).
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

mod row;
mod sheet;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub(crate) use row::line_at;
use row::{Row, csv_error, unparsable};
pub(crate) use sheet::Batch;
use sheet::Sheet;

use crate::population::builder::{
    CustomerBatch, IdeaBatch, IdeaFields, InteractionBatch, ParticipationFields, PendingIdeas,
    PendingInteractions, PendingResponses, ResponseBatch,
};
use crate::{
    Channel, Error, IdeaStatus, InteractionKind, Population, PopulationBuilder, Problem,
    Relationship, Result, Table,
};

/// The columns of a table's file, in the order they are written: every column its reader reads.
fn columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Customers => &["id", "name", "segment", "relationship", "since"],
        Table::Interactions => &["customer_id", "at", "channel", "kind", "topic"],
        Table::Ideas => &[
            "id",
            "customer_id",
            "submitted_at",
            "topic",
            "status",
            "votes",
            "decided_at",
        ],
        Table::Sessions => &["id", "held_at", "topic", "title"],
        Table::Participants => &[
            "session_id",
            "customer_id",
            "invited",
            "attended",
            "contributions",
            "rating",
        ],
        Table::Responses => &["customer_id", "item", "value", "answered_at"],
    }
}

/// Reads a CSV folder into a validated [`Population`].
///
/// `customers.csv` and `interactions.csv` are required; the other files are read when present.
///
/// Errors: [`Error::MissingFile`] when a required file is not there; [`Error::Io`] when a file
/// that is there cannot be read (a directory by that name is not taken for an absent optional
/// file); for a malformed row or one that contradicts another (an unknown or duplicate id), an
/// error naming the file, the line and the field (the row is not dropped).
///
/// ```no_run
/// let population = lead_customers::read_csv_folder("exports/2024-06")?;
/// println!("{}", population.summary());
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn read_csv_folder(dir: impl AsRef<Path>) -> Result<Population> {
    read_csv_folder_with_progress(dir, |_| {})
}

/// How far a load has got: bytes of the folder's CSV files read so far, out of all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    /// Bytes read so far.
    pub bytes_read: u64,
    /// Bytes of all the files to read.
    pub bytes_total: u64,
}

/// Reads a CSV folder like [`read_csv_folder`], telling `report` how far it has got after each
/// block of a file (every 32 MiB, more often at each file's start; a file with quoted fields is
/// read in order from its first block with a quote, and reported when it is done), so that a long
/// load can show progress.
///
/// ```
/// # use lead_customers::synthetic::{Generator, GeneratorConfig};
/// # let base = Generator::new(GeneratorConfig { customers: 50, ..Default::default() }).generate()?;
/// # let dir = std::env::temp_dir().join(format!("lead-customers-doc-progress-{}", std::process::id()));
/// # lead_customers::write_csv_folder(&base.population, &dir)?;
/// let mut last = None;
/// let population = lead_customers::read_csv_folder_with_progress(&dir, |p| last = Some(p))?;
/// let last = last.unwrap();
/// assert_eq!(last.bytes_read, last.bytes_total);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), lead_customers::Error>(())
/// ```
pub fn read_csv_folder_with_progress(
    dir: impl AsRef<Path>,
    mut report: impl FnMut(LoadProgress),
) -> Result<Population> {
    let dir = dir.as_ref();
    let mut builder = PopulationBuilder::new();
    // A file is there unless nothing is at its path: a directory, or a file that cannot be
    // read, is read and fails with why, rather than being taken for an absent optional file
    // (its records silently dropped) or reported as missing; a link to nothing fails here.
    let there = |table: Table| -> Result<Option<PathBuf>> {
        let path = dir.join(table.file_name());
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match std::fs::symlink_metadata(&path) {
                    Ok(_) => Err(Error::Io { path, source: e }),
                    Err(_) => Ok(None),
                }
            }
            _ => Ok(Some(path)),
        }
    };
    let required = |table: Table| {
        let path = there(table)?;
        path.ok_or_else(|| Error::MissingFile {
            path: dir.join(table.file_name()),
        })
    };
    let customers = required(Table::Customers)?;
    let interactions = required(Table::Interactions)?;
    let [sessions, ideas, participants, responses] = [
        Table::Sessions,
        Table::Ideas,
        Table::Participants,
        Table::Responses,
    ]
    .map(there);
    let [sessions, ideas, participants, responses] = [sessions?, ideas?, participants?, responses?];
    let files = [
        Some(customers.clone()),
        sessions.clone(),
        Some(interactions.clone()),
        ideas.clone(),
        participants.clone(),
        responses.clone(),
    ];
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let mut progress = Progress {
        done: 0,
        total: files.iter().flatten().map(|p| size(p)).sum(),
        report: &mut report,
    };

    read_customers(&mut builder, customers, &mut progress)?;
    if let Some(path) = sessions {
        read_sessions(&mut builder, path, &mut progress)?;
    }
    read_interactions(&mut builder, interactions, &mut progress)?;
    if let Some(path) = ideas {
        read_ideas(&mut builder, path, &mut progress)?;
    }
    if let Some(path) = participants {
        read_participants(&mut builder, path, &mut progress)?;
    }
    if let Some(path) = responses {
        read_responses(&mut builder, path, &mut progress)?;
    }
    builder.build()
}

/// Reports a load's progress: bytes of earlier files, plus the current file's bytes so far.
struct Progress<'r> {
    done: u64,
    total: u64,
    report: &'r mut dyn FnMut(LoadProgress),
}

impl Progress<'_> {
    /// The current file has been read up to `bytes`; `finished` when it is read to the end.
    fn file(&mut self, bytes: u64, finished: bool) {
        let bytes_read = self.done.saturating_add(bytes).min(self.total);
        (self.report)(LoadProgress {
            bytes_read,
            bytes_total: self.total,
        });
        if finished {
            self.done = bytes_read;
        }
    }
}

fn read_customers(
    builder: &mut PopulationBuilder,
    path: PathBuf,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let file_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let sheet = Sheet::open(path, columns(Table::Customers))?;
    builder.set_source(Table::Customers, sheet.locator());
    let id = sheet.required("id")?;
    let (name, segment) = (sheet.column("name"), sheet.column("segment"));
    let (relationship, since) = (sheet.column("relationship"), sheet.column("since"));
    sheet.read(
        &(),
        builder,
        &mut |bytes, finished| progress.file(bytes, finished),
        |_, row, batch: &mut CustomerBatch| {
            let since = match row.text(since, "since")? {
                None => None,
                Some(text) => Some(parse_date(text).ok_or_else(|| {
                    row.error("since", text.as_bytes(), unparsable("a date YYYY-MM-DD"))
                })?),
            };
            let (id, name) = (row.required_text(id, "id")?, row.text(name, "name")?);
            let segment = row.interned(segment, "segment", &mut batch.segments)?;
            batch.push(
                row.offset(),
                id,
                name,
                segment,
                row.named(
                    relationship,
                    "relationship",
                    Relationship::from_bytes,
                    "customer prospect",
                )?
                .unwrap_or_default(),
                since,
                || row.location(),
            )
        },
        |builder, batch| builder.append_customers(batch, file_bytes),
    )
}

fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    crate::time::parse_date(text.as_bytes())
}

fn read_interactions(
    builder: &mut PopulationBuilder,
    path: PathBuf,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let file_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let sheet = Sheet::open(path, columns(Table::Interactions))?;
    builder.set_source(Table::Interactions, sheet.locator());
    let customer = sheet.required("customer_id")?;
    let at = sheet.required("at")?;
    let channel = sheet.required("channel")?;
    let kind = sheet.required("kind")?;
    let topic = sheet.column("topic");
    // Rows are appended to the interactions taken out of the builder while the builder looks
    // the next rows' customers up.
    builder.appending::<PendingInteractions, _>(|builder, appending| {
        sheet.read(
            builder,
            appending,
            &mut |bytes, finished| progress.file(bytes, finished),
            |_, row, batch: &mut InteractionBatch| {
                let slot = row.customer_lookup(customer, &mut batch.customers)?;
                let topic = row.topic(topic, &mut batch.names)?;
                batch.push(
                    row.offset(),
                    slot,
                    row.required_time(at, "at")?,
                    row.required_named(channel, "channel", Channel::from_bytes, Channel::NAMES)?,
                    row.required_named(
                        kind,
                        "kind",
                        InteractionKind::from_bytes,
                        InteractionKind::NAMES,
                    )?,
                    topic,
                );
                Ok(())
            },
            |appending, batch| appending.append(batch, file_bytes),
        )
    })
}

fn read_ideas(
    builder: &mut PopulationBuilder,
    path: PathBuf,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let sheet = Sheet::open(path, columns(Table::Ideas))?;
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
    builder.appending::<PendingIdeas, _>(|builder, appending| {
        sheet.read(
            builder,
            appending,
            &mut |bytes, finished| progress.file(bytes, finished),
            |_, row, batch: &mut IdeaBatch| {
                let slot = row.customer_lookup(author, &mut batch.customers)?;
                let topic_id = row.topic(topic, &mut batch.names)?;
                let fields = IdeaFields {
                    id: row.required_text(id, "id")?,
                    author: "",
                    submitted_at: row.required_time(submitted, "submitted_at")?,
                    topic: None,
                    status: row.required_named(
                        status,
                        "status",
                        IdeaStatus::from_bytes,
                        IdeaStatus::NAMES,
                    )?,
                    votes: row.count(votes, "votes")?,
                    decided_at: row.time(decided, "decided_at")?,
                };
                batch.push(row.offset(), slot, topic_id, fields, || row.location())
            },
            |appending, batch| appending.append(batch),
        )
    })
}

fn read_sessions(
    builder: &mut PopulationBuilder,
    path: PathBuf,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let sheet = Sheet::open(path, columns(Table::Sessions))?;
    builder.set_source(Table::Sessions, sheet.locator());
    let id = sheet.required("id")?;
    let held = sheet.required("held_at")?;
    let (topic, title) = (sheet.column("topic"), sheet.column("title"));
    type Row = (u64, String, i64, Option<String>, Option<String>);
    sheet.read(
        &(),
        builder,
        &mut |bytes, finished| progress.file(bytes, finished),
        |_, row, batch: &mut Vec<Row>| {
            batch.push((
                row.offset(),
                row.required_text(id, "id")?.to_owned(),
                row.required_time(held, "held_at")?,
                row.text(topic, "topic")?.map(str::to_owned),
                row.text(title, "title")?.map(str::to_owned),
            ));
            Ok(())
        },
        |builder, batch| {
            for (offset, id, held_at, topic, title) in batch.drain(..) {
                builder.session_at(offset, &id, held_at, topic.as_deref(), title)?;
            }
            Ok(())
        },
    )
}

fn read_participants(
    builder: &mut PopulationBuilder,
    path: PathBuf,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let sheet = Sheet::open(path, columns(Table::Participants))?;
    builder.set_source(Table::Participants, sheet.locator());
    let session = sheet.required("session_id")?;
    let customer = sheet.required("customer_id")?;
    let invited = sheet.required("invited")?;
    let attended = sheet.required("attended")?;
    let (contributions, rating) = (sheet.column("contributions"), sheet.column("rating"));
    type Row = (u64, String, String, bool, bool, u32, Option<f64>);
    sheet.read(
        &(),
        builder,
        &mut |bytes, finished| progress.file(bytes, finished),
        |_, row, batch: &mut Vec<Row>| {
            batch.push((
                row.offset(),
                row.required_text(session, "session_id")?.to_owned(),
                row.required_text(customer, "customer_id")?.to_owned(),
                row.boolean(invited, "invited")?,
                row.boolean(attended, "attended")?,
                row.count(contributions, "contributions")?,
                row.number(rating, "rating")?,
            ));
            Ok(())
        },
        |builder, batch| {
            for (offset, session, customer, invited, attended, contributions, rating) in
                batch.drain(..)
            {
                builder.check_customer(&customer, Table::Participants, offset)?;
                let fields = ParticipationFields {
                    session: &session,
                    customer: &customer,
                    invited,
                    attended,
                    contributions,
                    rating,
                };
                builder.participation_at(offset, fields)?;
            }
            Ok(())
        },
    )
}

/// One answer of `responses.csv`: customer, item, a finite value, and when it was given.
fn response_row(
    row: &Row<'_>,
    columns: [Option<usize>; 4],
) -> Result<(u64, crate::evidence::Response)> {
    let [customer, item, value, answered_at] = columns;
    let required =
        |column: Option<usize>, field| row.required_text(column.unwrap_or(usize::MAX), field);
    let number = response_value(row, value)?;
    let mut response = crate::evidence::Response::new(
        required(customer, "customer_id")?,
        required(item, "item")?,
        number,
    );
    response.answered_at = row
        .time(answered_at, "answered_at")?
        .map(crate::population::timestamp);
    Ok((row.offset(), response))
}

/// An answer's value: a finite number.
fn response_value(row: &Row<'_>, value: Option<usize>) -> Result<f64> {
    let number = row
        .number(value, "value")?
        .ok_or_else(|| row.error("value", b"", Problem::Missing))?;
    if !number.is_finite() {
        return Err(row.error("value", number.to_string().as_bytes(), Problem::NonFinite));
    }
    Ok(number)
}

fn response_columns(sheet: &Sheet) -> Result<[Option<usize>; 4]> {
    Ok([
        Some(sheet.required("customer_id")?),
        Some(sheet.required("item")?),
        Some(sheet.required("value")?),
        sheet.column("answered_at"),
    ])
}

fn read_responses(
    builder: &mut PopulationBuilder,
    path: PathBuf,
    progress: &mut Progress<'_>,
) -> Result<()> {
    let sheet = Sheet::open(path, columns(Table::Responses))?;
    builder.set_source(Table::Responses, sheet.locator());
    let [customer, item, value, answered_at] = response_columns(&sheet)?;
    let required = |column: Option<usize>| column.unwrap_or(usize::MAX);
    // As interactions: answers are appended to those taken out of the builder (with the items'
    // names) while the builder looks the next rows' customers up.
    builder.appending::<PendingResponses, _>(|builder, appending| {
        sheet.read(
            builder,
            appending,
            &mut |bytes, finished| progress.file(bytes, finished),
            |_, row, batch: &mut ResponseBatch| {
                // The fields in the order `response_row` reads them, for the same first error:
                // the customer's lookup is recorded before the later fields can fail, so an
                // unknown customer at this row is found (when the batch is resolved) before them.
                let value = response_value(row, value)?;
                let customer = row.customer_lookup(required(customer), &mut batch.customers)?;
                row.required_text(required(item), "item")?;
                let item = row.interned(item, "item", &mut batch.names)?;
                let answered_at = row.time(answered_at, "answered_at")?;
                batch.push(row.offset(), customer, item, value, answered_at);
                Ok(())
            },
            |appending, batch| appending.append(batch),
        )
    })
}

/// Reads a `responses.csv` file on its own: each answer with the byte offset of its row (turn it
/// into a line with [`line_at`] when an error needs it).
pub(crate) fn response_rows(path: &Path) -> Result<Vec<(u64, crate::evidence::Response)>> {
    let sheet = Sheet::open(path.to_path_buf(), columns(Table::Responses))?;
    let columns = response_columns(&sheet)?;
    let mut rows = Vec::new();
    sheet.read(
        &(),
        &mut rows,
        &mut |_, _| {},
        |_, row, batch: &mut Vec<(u64, crate::evidence::Response)>| {
            batch.push(response_row(row, columns)?);
            Ok(())
        },
        |rows, batch| {
            rows.append(batch);
            Ok(())
        },
    )?;
    Ok(rows)
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

    write_table(dir, Table::Customers, |w| {
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
    })?;
    write_table(dir, Table::Interactions, |w| {
        for c in population.customers() {
            let id = population.customer_id(c).as_str();
            for i in population.interactions(c).iter() {
                let topic = i.topic.map(|t| population.topic_name(t)).unwrap_or("");
                w.write_record([id, &time(i.at), i.channel.as_str(), i.kind.as_str(), topic])?;
            }
        }
        Ok(())
    })?;
    write_table(dir, Table::Ideas, |w| {
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
    write_table(dir, Table::Sessions, |w| {
        for s in population.session_records() {
            w.write_record([
                s.id.as_str(),
                &time(s.held_at),
                &opt(s.topic.as_deref()),
                &opt(s.title.as_deref()),
            ])?;
        }
        Ok(())
    })?;
    write_table(dir, Table::Participants, |w| {
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
    write_table(dir, Table::Responses, |w| {
        for r in population.response_records() {
            let at = r.answered_at.map(time).unwrap_or_default();
            w.write_record([r.customer.as_str(), &r.item, &r.value.to_string(), &at])?;
        }
        Ok(())
    })
}

fn write_table(
    dir: &Path,
    table: Table,
    rows: impl FnOnce(&mut csv::Writer<BufWriter<File>>) -> csv::Result<()>,
) -> Result<()> {
    let path = dir.join(table.file_name());
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let file = File::create(&path).map_err(io)?;
    let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let written = writer
        .write_record(columns(table))
        .and_then(|()| rows(&mut writer));
    written.map_err(|e| csv_error(&path, &e))?;
    writer.flush().map_err(io)
}
