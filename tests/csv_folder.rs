//! The CSV interchange format: reading folders written by other tools, errors that name file,
//! line and field, and round trips.
#![cfg(feature = "csv")]

use std::fs;
use std::path::{Path, PathBuf};

use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::{
    Error, ErrorKind, IdeaStatus, Location, Problem, Relationship, read_csv_folder,
    write_csv_folder,
};

/// A fresh, empty folder under the target directory for one test.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("csv_folder")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, file: &str, text: &str) {
    fs::write(dir.join(file), text).unwrap();
}

const CUSTOMERS: &str =
    "id,name,segment,relationship,since\nC1,Ada,retail/smb,customer,2021-05-01\nC2,,,prospect,\n";
const INTERACTIONS: &str = "customer_id,at,channel,kind,topic\n\
C1,2024-01-05,community,workaround,offline sync\n\
C2,2024-02-01T10:30:00Z,email,response,\n\
C1,2024-03-01T09:00:00+02:00,support,complaint,billing\n";

/// A small folder as another tool would write it: columns reordered, extra columns, quoting,
/// booleans in every accepted spelling.
fn foreign_folder(name: &str) -> PathBuf {
    let dir = folder(name);
    write(
        &dir,
        "customers.csv",
        "since,relationship,id,crm_owner,segment,name\n2021-05-01,customer,C1,bob,retail/smb,\"Ada, Inc.\"\n,prospect,C2,,,\n",
    );
    write(&dir, "interactions.csv", INTERACTIONS);
    write(
        &dir,
        "ideas.csv",
        "id,customer_id,submitted_at,topic,status,votes,decided_at\nI1,C1,2024-01-10,offline sync,shipped,12,2024-06-01\nI2,C2,2024-02-10,,open,,\n",
    );
    write(
        &dir,
        "sessions.csv",
        "id,held_at,topic,title\nS1,2024-04-01T09:00:00Z,offline sync,\"Offline, first\"\n",
    );
    write(
        &dir,
        "participants.csv",
        "session_id,customer_id,invited,attended,contributions,rating\nS1,C1,yes,1,4,4.5\nS1,C2,TRUE,false,,\n",
    );
    dir
}

#[test]
fn a_folder_written_by_another_tool_loads() {
    let p = read_csv_folder(foreign_folder("foreign")).unwrap();
    assert_eq!(p.len(), 2);
    let c1 = p.index_of("C1").unwrap();
    let c2 = p.index_of("C2").unwrap();
    assert_eq!(p.name(c1), Some("Ada, Inc."));
    assert_eq!(p.segment(c1), Some("retail/smb"));
    assert_eq!(p.relationship(c2), Relationship::Prospect);
    assert_eq!(p.name(c2), None);
    assert_eq!(p.interactions(c1).len(), 2);
    let ideas: Vec<_> = p.ideas(c1).iter().collect();
    assert_eq!(ideas[0].status, IdeaStatus::Shipped);
    assert_eq!(ideas[0].votes, 12);
    assert!(ideas[0].decided_at.is_some());
    let open: Vec<_> = p.ideas(c2).iter().collect();
    assert_eq!(
        (open[0].votes, open[0].decided_at, open[0].topic),
        (0, None, None)
    );
    let parts: Vec<_> = p.participations(c1).iter().collect();
    assert_eq!(
        (parts[0].attended, parts[0].contributions, parts[0].rating),
        (true, 4, Some(4.5))
    );
    assert_eq!(p.session(0).title.as_deref(), Some("Offline, first"));
}

#[test]
fn only_customers_and_interactions_are_required() {
    let dir = folder("minimal");
    write(&dir, "customers.csv", "id\nC1\nC2\n");
    write(
        &dir,
        "interactions.csv",
        "customer_id,at,channel,kind\nC1,2024-01-05,chat,question\n",
    );
    let p = read_csv_folder(&dir).unwrap();
    assert_eq!((p.len(), p.interaction_count(), p.idea_count()), (2, 1, 0));
}

#[test]
fn a_missing_required_file_is_an_error() {
    let dir = folder("no_interactions");
    write(&dir, "customers.csv", CUSTOMERS);
    let err = read_csv_folder(&dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingFile);
    assert!(err.to_string().contains("interactions.csv"), "{err}");
}

/// A directory where a file belongs is read and fails (an optional file's records are not
/// dropped as if it were absent, nor is a required one called missing); the message names the
/// file, and the system's reason is the error's source, told once.
#[test]
fn a_directory_in_place_of_a_file_is_an_input_output_error() {
    for (file, name) in [
        ("ideas.csv", "dir_ideas"),
        ("customers.csv", "dir_customers"),
    ] {
        let dir = folder(name);
        write(&dir, "customers.csv", CUSTOMERS);
        write(&dir, "interactions.csv", INTERACTIONS);
        let _ = fs::remove_file(dir.join(file));
        fs::create_dir(dir.join(file)).unwrap();
        let err = read_csv_folder(&dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{file}: {err}");
        let message = err.to_string();
        assert!(message.contains(file), "{message}");
        let source = std::error::Error::source(&err).expect("the system's reason");
        assert!(!message.contains(&source.to_string()), "{message}");
    }
}

/// A link to nothing where an optional file belongs is an input/output error naming the file,
/// not an absent file (its records dropped) nor a "required file is missing".
#[cfg(unix)]
#[test]
fn a_dangling_link_in_place_of_a_file_is_an_input_output_error() {
    let dir = folder("dangling_ideas");
    write(&dir, "customers.csv", CUSTOMERS);
    write(&dir, "interactions.csv", INTERACTIONS);
    std::os::unix::fs::symlink(dir.join("gone.csv"), dir.join("ideas.csv")).unwrap();
    let err = read_csv_folder(&dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(err.to_string().contains("ideas.csv"), "{err}");
    // A link to a file reads as the file.
    fs::remove_file(dir.join("ideas.csv")).unwrap();
    write(
        &dir,
        "gone.csv",
        "id,customer_id,submitted_at,status\nI1,C1,2024-01-06,open\n",
    );
    std::os::unix::fs::symlink(dir.join("gone.csv"), dir.join("ideas.csv")).unwrap();
    assert_eq!(read_csv_folder(&dir).unwrap().idea_count(), 1);
}

#[test]
fn a_missing_required_column_is_an_error() {
    let dir = folder("no_kind");
    write(&dir, "customers.csv", CUSTOMERS);
    write(
        &dir,
        "interactions.csv",
        "customer_id,at,channel\nC1,2024-01-05,chat\n",
    );
    let err = read_csv_folder(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::MissingColumn { column: "kind", .. }),
        "{err}"
    );
}

/// Loads a folder whose `file` has `text`, and returns the error.
fn error_with(name: &str, file: &str, text: &str) -> Error {
    let dir = folder(name);
    write(&dir, "customers.csv", CUSTOMERS);
    write(&dir, "interactions.csv", INTERACTIONS);
    write(&dir, file, text);
    read_csv_folder(&dir).unwrap_err()
}

/// Asserts a record error of `kind` at `file`:`line` about `field`.
fn assert_at(err: Error, kind: ErrorKind, file: &str, line: u64, field: &str) {
    assert_eq!(err.kind(), kind, "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("{file}:{line}")), "{text}");
    match err {
        Error::Record {
            location: Location::Csv { file: f, line: l },
            field: got,
            ..
        } => {
            assert!(f.ends_with(file));
            assert_eq!((l, got), (line, field));
        }
        other => panic!("expected a record error at a CSV line, got {other}"),
    }
}

#[test]
fn an_unparsable_date_names_file_line_and_field() {
    let text = "customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,\nC1,05/01/2024,chat,question,\n";
    let err = error_with("bad_date", "interactions.csv", text);
    assert!(err.to_string().contains("05/01/2024"));
    assert_at(err, ErrorKind::Unparsable, "interactions.csv", 3, "at");
}

#[test]
fn an_unknown_channel_lists_the_accepted_ones() {
    let text = "customer_id,at,channel,kind,topic\nC1,2024-01-05,fax,question,\n";
    let err = error_with("bad_channel", "interactions.csv", text);
    assert!(err.to_string().contains("community"), "{err}");
    assert_at(err, ErrorKind::Unparsable, "interactions.csv", 2, "channel");
}

#[test]
fn an_unknown_customer_names_the_line() {
    let text = "customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,\nC1,2024-01-06,chat,question,\nC7,2024-01-05,chat,question,\n";
    let err = error_with("unknown_customer", "interactions.csv", text);
    assert_at(
        err,
        ErrorKind::UnknownCustomer,
        "interactions.csv",
        4,
        "customer_id",
    );
}

#[test]
fn a_duplicate_customer_names_both_lines() {
    let dir = folder("dup_customer");
    write(&dir, "customers.csv", "id\nC1\nC2\nC1\n");
    write(&dir, "interactions.csv", INTERACTIONS);
    let err = read_csv_folder(&dir).unwrap_err();
    match &err {
        Error::Record {
            problem:
                Problem::DuplicateId {
                    first: Location::Csv { line, .. },
                },
            ..
        } => {
            assert_eq!(*line, 2)
        }
        other => panic!("{other}"),
    }
    assert_at(err, ErrorKind::DuplicateId, "customers.csv", 4, "id");
}

/// Of two errors in one file, the one on the earlier line is reported, even when it is found
/// later (a repeated id is found when rows are merged, an unparsable date when they are parsed).
#[test]
fn the_earlier_of_two_errors_is_reported() {
    let dir = folder("two_errors");
    write(
        &dir,
        "customers.csv",
        "id,since\nC1,2024-01-01\nC2,\nC1,\nC3,someday\n",
    );
    write(&dir, "interactions.csv", INTERACTIONS);
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(err, ErrorKind::DuplicateId, "customers.csv", 4, "id");
    // Without the repeated id, the date is the error.
    write(
        &dir,
        "customers.csv",
        "id,since\nC1,2024-01-01\nC2,\nC4,\nC3,someday\n",
    );
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(err, ErrorKind::Unparsable, "customers.csv", 5, "since");
}

#[test]
fn a_duplicate_idea_names_the_line() {
    let text = "id,customer_id,submitted_at,topic,status,votes\nI1,C1,2024-01-01,,open,0\nI1,C2,2024-01-02,,open,0\n";
    let err = error_with("dup_idea", "ideas.csv", text);
    assert_at(err, ErrorKind::DuplicateId, "ideas.csv", 3, "id");
}

#[test]
fn negative_votes_are_refused() {
    let text = "id,customer_id,submitted_at,topic,status,votes\nI1,C1,2024-01-01,,open,-3\n";
    assert_at(
        error_with("neg_votes", "ideas.csv", text),
        ErrorKind::Negative,
        "ideas.csv",
        2,
        "votes",
    );
}

#[test]
fn fractional_contributions_are_refused() {
    let text =
        "session_id,customer_id,invited,attended,contributions,rating\nS1,C1,true,true,2.5,\n";
    let dir = folder("frac");
    write(&dir, "customers.csv", CUSTOMERS);
    write(&dir, "interactions.csv", INTERACTIONS);
    write(&dir, "sessions.csv", "id,held_at\nS1,2024-01-01\n");
    write(&dir, "participants.csv", text);
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(
        err,
        ErrorKind::Unparsable,
        "participants.csv",
        2,
        "contributions",
    );
}

/// A folder with one session and the given participants rows.
/// A folder with one session, S1, and these participants' `rows`.
fn participants_folder(name: &str, rows: &str) -> PathBuf {
    let dir = folder(name);
    write(&dir, "customers.csv", CUSTOMERS);
    write(&dir, "interactions.csv", INTERACTIONS);
    write(
        &dir,
        "sessions.csv",
        "id,held_at,topic,title\nS1,2024-04-01,,\n",
    );
    write(
        &dir,
        "participants.csv",
        &format!("session_id,customer_id,invited,attended,contributions,rating\n{rows}"),
    );
    dir
}

fn participants_error(name: &str, rows: &str) -> Error {
    read_csv_folder(participants_folder(name, rows)).unwrap_err()
}

#[test]
fn a_rating_out_of_range_names_the_line() {
    let err = participants_error("rating_range", "S1,C1,true,true,1,7\n");
    assert_at(
        err,
        ErrorKind::RatingOutOfRange,
        "participants.csv",
        2,
        "rating",
    );
}

#[test]
fn a_nan_rating_is_refused() {
    let err = participants_error("rating_nan", "S1,C1,true,true,1,NaN\n");
    assert_at(err, ErrorKind::NonFinite, "participants.csv", 2, "rating");
    let err = participants_error("rating_inf", "S1,C1,true,true,1,inf\n");
    assert_at(err, ErrorKind::NonFinite, "participants.csv", 2, "rating");
}

#[test]
fn attended_without_invitation_names_the_line() {
    let err = participants_error("uninvited", "S1,C2,false,true,0,\n");
    assert_at(
        err,
        ErrorKind::AttendedWithoutInvited,
        "participants.csv",
        2,
        "attended",
    );
}

#[test]
fn an_unknown_session_names_the_line() {
    let err = participants_error(
        "unknown_session",
        "S1,C1,true,false,0,\nS9,C1,true,false,0,\n",
    );
    assert_at(
        err,
        ErrorKind::UnknownSession,
        "participants.csv",
        3,
        "session_id",
    );
}

#[test]
fn a_bad_boolean_names_the_line() {
    let err = participants_error("bad_bool", "S1,C1,maybe,false,0,\n");
    assert_at(err, ErrorKind::Unparsable, "participants.csv", 2, "invited");
}

#[test]
fn a_row_with_too_few_fields_names_the_line() {
    let text = "customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,\nC1,2024-01-05\n";
    let err = error_with("short_row", "interactions.csv", text);
    assert_eq!(err.kind(), ErrorKind::WrongFieldCount, "{err}");
    assert!(err.to_string().contains("interactions.csv:3"), "{err}");
}

#[test]
fn an_empty_required_cell_is_missing() {
    let text = "customer_id,at,channel,kind,topic\nC1,,chat,question,\n";
    assert_at(
        error_with("empty_at", "interactions.csv", text),
        ErrorKind::Missing,
        "interactions.csv",
        2,
        "at",
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let dir = folder("latin1");
    write(&dir, "customers.csv", CUSTOMERS);
    let mut bytes = b"customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,caf".to_vec();
    bytes.extend([0xE9, b'\n']);
    fs::write(dir.join("interactions.csv"), bytes).unwrap();
    let err = read_csv_folder(&dir).unwrap_err();
    assert!(err.to_string().contains("interactions.csv:2"), "{err}");
}

/// A customer id that is not UTF-8 is refused as such (not as an unknown customer), at its
/// line, whether interactions or ideas name it.
#[test]
fn a_customer_id_that_is_not_utf8_names_the_line() {
    let dir = folder("latin1_id");
    write(&dir, "customers.csv", CUSTOMERS);
    let mut bytes = b"customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,\nC".to_vec();
    bytes.extend([0xE9, b'1']);
    bytes.extend(b",2024-01-06,chat,question,\n");
    fs::write(dir.join("interactions.csv"), &bytes).unwrap();
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(
        err,
        ErrorKind::Unparsable,
        "interactions.csv",
        3,
        "customer_id",
    );

    write(
        &dir,
        "interactions.csv",
        "customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,\n",
    );
    let mut bytes = b"id,customer_id,submitted_at,topic,status\nI1,C".to_vec();
    bytes.extend([0xE9, b'1']);
    bytes.extend(b",2024-01-06,,submitted\n");
    fs::write(dir.join("ideas.csv"), &bytes).unwrap();
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(err, ErrorKind::Unparsable, "ideas.csv", 2, "customer_id");
}

#[test]
fn csv_round_trips_through_a_population() {
    let base = Generator::new(GeneratorConfig {
        customers: 300,
        seed: 9,
        ..Default::default()
    })
    .generate()
    .unwrap();
    let first = folder("round_trip_1");
    write_csv_folder(&base.population, &first).unwrap();
    let loaded = read_csv_folder(&first).unwrap();
    assert_eq!(loaded, base.population);
    let second = folder("round_trip_2");
    write_csv_folder(&loaded, &second).unwrap();
    for table in [
        "customers.csv",
        "interactions.csv",
        "ideas.csv",
        "sessions.csv",
        "participants.csv",
    ] {
        assert_eq!(
            fs::read(first.join(table)).unwrap(),
            fs::read(second.join(table)).unwrap(),
            "{table}"
        );
    }
}

/// A customer since a date before year 0 is written as jiff writes it (`-000001-03-01`), and
/// read back (the reader took only `YYYY-MM-DD`).
#[test]
fn a_date_before_year_zero_round_trips() {
    use lead_customers::{Customer, Population};
    let mut b = Population::builder();
    let since = jiff::civil::date(-1, 3, 1);
    b.add_customer(Customer::new("C1").with_since(since))
        .unwrap();
    b.add_customer(Customer::new("C2").with_since(jiff::civil::Date::MIN))
        .unwrap();
    let p = b.build().unwrap();
    let dir = folder("before_year_zero");
    write_csv_folder(&p, &dir).unwrap();
    assert_eq!(read_csv_folder(&dir).unwrap(), p);
}

#[test]
fn a_foreign_folder_round_trips_to_the_same_population() {
    let p = read_csv_folder(foreign_folder("foreign_rt")).unwrap();
    let out = folder("foreign_rt_out");
    write_csv_folder(&p, &out).unwrap();
    assert_eq!(read_csv_folder(&out).unwrap(), p);
}

#[test]
fn line_numbers_count_blank_lines() {
    let text = "customer_id,at,channel,kind,topic\nC1,2024-01-05,chat,question,\n\n\nC1,later,chat,question,\n";
    assert_at(
        error_with("blank_lines", "interactions.csv", text),
        ErrorKind::Unparsable,
        "interactions.csv",
        5,
        "at",
    );
    // Errors found when the population is built point to the right line too.
    let text = "customer_id,at,channel,kind,topic\n\nC1,2024-01-05,chat,question,\n\nC8,2024-01-05,chat,question,\n";
    assert_at(
        error_with("blank_lines_build", "interactions.csv", text),
        ErrorKind::UnknownCustomer,
        "interactions.csv",
        5,
        "customer_id",
    );
}

#[test]
fn responses_join_the_folder_and_errors_name_their_line() {
    let text = "customer_id,item,value,answered_at\nC1,at1,4,2024-02-01\nC2,heb1,5,\n";
    let dir = folder("responses");
    write(&dir, "customers.csv", CUSTOMERS);
    write(&dir, "interactions.csv", INTERACTIONS);
    write(&dir, "responses.csv", text);
    let p = read_csv_folder(&dir).unwrap();
    assert_eq!(p.response_count(), 2);
    let c1: Vec<_> = p.responses(p.index_of("C1").unwrap()).collect();
    assert_eq!(
        (
            c1[0].item.as_str(),
            c1[0].value,
            c1[0].answered_at.is_some()
        ),
        ("at1", 4.0, true)
    );
    let text = "customer_id,item,value\nC1,at1,4\n\nC1,at1,5\n";
    let err = error_with("responses_dup", "responses.csv", text);
    assert_at(err, ErrorKind::DuplicateAnswer, "responses.csv", 4, "item");
    let err = error_with(
        "responses_nan",
        "responses.csv",
        "customer_id,item,value\nC1,at1,NaN\n",
    );
    assert_at(err, ErrorKind::NonFinite, "responses.csv", 2, "value");
}

#[test]
fn a_column_named_twice_is_refused() {
    let dir = folder("dup_column");
    write(&dir, "customers.csv", "id,name,id\nC1,a,C2\n");
    write(&dir, "interactions.csv", INTERACTIONS);
    let err = read_csv_folder(&dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DuplicateColumn, "{err}");
    assert!(err.to_string().contains("customers.csv:1"), "{err}");
    assert!(err.to_string().contains("names this column twice"), "{err}");
}

/// A column read by the file but spelt another way (case, a space or hyphen for the underscore,
/// a plural) would have its values go unread, silently: the header is refused, naming the
/// column meant. An unknown column that is named twice, or that is not close to one read, is
/// ignored.
#[test]
fn a_misnamed_column_is_refused_and_other_unknown_columns_are_ignored() {
    let interactions =
        |header: &str| format!("{header}\nC1,2024-01-05,community,workaround,sync\n");
    let ideas =
        |last: &str| format!("id,customer_id,submitted_at,status,{last}\nI1,C1,2024-01-02,open,\n");
    for (file, text, meant) in [
        (
            "interactions.csv",
            interactions("customer_id,at,channel,kind,Topic"),
            "topic",
        ),
        (
            "interactions.csv",
            interactions("Customer ID,at,channel,kind,topic"),
            "customer_id",
        ),
        ("ideas.csv", ideas("decided at"), "decided_at"),
        ("ideas.csv", ideas("Decided-At"), "decided_at"),
        ("ideas.csv", ideas("vote"), "votes"),
        ("customers.csv", CUSTOMERS.replacen("id", "ids", 1), "id"),
    ] {
        let dir = folder("misnamed_column");
        write(&dir, "customers.csv", CUSTOMERS);
        write(&dir, "interactions.csv", INTERACTIONS);
        write(&dir, file, &text);
        let err = read_csv_folder(&dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MisnamedColumn, "{text}: {err}");
        let message = err.to_string();
        assert!(message.contains(&format!("{file}:1")), "{message}");
        assert!(
            message.contains(&format!("close to `{meant}`")),
            "{message}"
        );
    }

    let dir = folder("unknown_columns");
    write(
        &dir,
        "customers.csv",
        "id,notes,notes,topic_weight\nC1,a,b,3\nC2,,,\n",
    );
    write(&dir, "interactions.csv", INTERACTIONS);
    let population = read_csv_folder(&dir).unwrap();
    assert_eq!(population.len(), 2);
}

#[test]
fn huge_contributions_neither_overflow_nor_panic() {
    let dir = folder("huge_contributions");
    write(&dir, "customers.csv", CUSTOMERS);
    write(&dir, "interactions.csv", INTERACTIONS);
    write(
        &dir,
        "sessions.csv",
        "id,held_at\nS1,2024-01-01\nS2,2024-01-02\n",
    );
    write(
        &dir,
        "participants.csv",
        "session_id,customer_id,invited,attended,contributions,rating\nS1,C1,true,true,4000000000,\nS2,C1,true,true,4000000000,\n",
    );
    let p = read_csv_folder(&dir).unwrap();
    let scores = lead_customers::ScoringModel::default()
        .score_latest(&p)
        .unwrap();
    let c1 = p.index_of("C1").unwrap();
    let raw = scores
        .signals()
        .value(lead_customers::Signal::SessionContributions, c1)
        .unwrap();
    assert!(raw > 3.9e9, "{raw}");
    assert!(
        scores
            .score(c1)
            .signals
            .iter()
            .all(|s| s.impact.is_finite())
    );
}

#[test]
fn an_answer_of_an_unknown_customer_names_its_line() {
    let text = "customer_id,item,value\nC1,at1,4\nC9,at1,4\nC8,at2,3\n";
    let err = error_with("responses_unknown", "responses.csv", text);
    assert_at(
        err,
        ErrorKind::UnknownCustomer,
        "responses.csv",
        3,
        "customer_id",
    );
}

/// Customers are read before any other file, so an unknown customer is an error at its row
/// when its file is read: before a bad value on a later row of the same file, and after an
/// unknown customer in a file read earlier (participants before responses; ideas likewise).
#[test]
fn an_unknown_customer_is_reported_in_file_order() {
    let err = error_with(
        "unknown_then_bad",
        "responses.csv",
        "customer_id,item,value\nC9,at1,4\nC1,at2,many\n",
    );
    assert_at(
        err,
        ErrorKind::UnknownCustomer,
        "responses.csv",
        2,
        "customer_id",
    );

    let err = error_with(
        "idea_unknown_then_bad",
        "ideas.csv",
        "id,customer_id,submitted_at,topic,status\nI1,C9,2024-01-06,,submitted\nI2,C1,soon,,submitted\n",
    );
    assert_at(
        err,
        ErrorKind::UnknownCustomer,
        "ideas.csv",
        2,
        "customer_id",
    );

    let dir = participants_folder("unknown_in_two_files", "S1,C9,true,false,0,\n");
    write(&dir, "responses.csv", "customer_id,item,value\nC8,at1,4\n");
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(
        err,
        ErrorKind::UnknownCustomer,
        "participants.csv",
        2,
        "customer_id",
    );
}

/// Segment and item names that are not UTF-8 are refused at their line, naming the field.
#[test]
fn segment_and_item_names_that_are_not_utf8_name_their_field() {
    let dir = folder("latin1_names");
    let mut bytes = b"id,name,segment,relationship,since\nC1,Ada,caf".to_vec();
    bytes.extend([0xE9]);
    bytes.extend(b",customer,\n");
    fs::write(dir.join("customers.csv"), &bytes).unwrap();
    write(&dir, "interactions.csv", INTERACTIONS);
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(err, ErrorKind::Unparsable, "customers.csv", 2, "segment");

    write(&dir, "customers.csv", CUSTOMERS);
    let mut bytes = b"customer_id,item,value\nC1,at1,4\nC1,caf".to_vec();
    bytes.extend([0xE9]);
    bytes.extend(b",3\n");
    fs::write(dir.join("responses.csv"), &bytes).unwrap();
    let err = read_csv_folder(&dir).unwrap_err();
    assert_at(err, ErrorKind::Unparsable, "responses.csv", 3, "item");
}

/// An export sorted by time (every row another customer's, as helpdesks write them) loads into
/// the same population as one grouped by customer; and its errors name their lines, the earliest
/// first, whether the customer lookup or the parse finds them.
#[test]
fn an_export_sorted_by_time_loads_the_same_and_names_its_errors() {
    let base = Generator::new(GeneratorConfig {
        customers: 2_000,
        seed: 3,
        ..Default::default()
    })
    .generate()
    .unwrap();
    let dir = folder("by_time");
    write_csv_folder(&base.population, &dir).unwrap();
    let text = fs::read_to_string(dir.join("interactions.csv")).unwrap();
    let (header, rows) = text.split_once('\n').unwrap();
    let mut rows: Vec<&str> = rows.lines().collect();
    rows.sort_by_key(|row| row.split(',').nth(1).unwrap().to_owned());
    let c1 = rows[0].split(',').next().unwrap();
    assert_ne!(c1, rows[1].split(',').next().unwrap(), "rows interleave");
    let sorted = format!("{header}\n{}\n", rows.join("\n"));
    write(&dir, "interactions.csv", &sorted);
    assert_eq!(read_csv_folder(&dir).unwrap(), base.population);

    // Rows 5 and 9 of the file (lines 6 and 10) spoiled: an unknown customer and a bad date.
    let spoil = |unknown: usize, bad_date: usize| {
        let mut rows = rows.clone();
        let unknown_row = rows[unknown].replacen(c1, "NOBODY", 1);
        let fields: Vec<&str> = rows[bad_date].split(',').collect();
        let bad_row = [fields[0], "someday", &fields[2..].join(",")].join(",");
        rows[unknown] = &unknown_row;
        rows[bad_date] = &bad_row;
        let rows: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        write(
            &dir,
            "interactions.csv",
            &format!("{header}\n{}\n", rows.join("\n")),
        );
        read_csv_folder(&dir).unwrap_err()
    };
    let c1_rows: Vec<usize> = (0..rows.len())
        .filter(|&r| rows[r].starts_with(&format!("{c1},")))
        .collect();
    let (first, later) = (c1_rows[0], c1_rows[0] + 4);
    assert_at(
        spoil(first, later),
        ErrorKind::UnknownCustomer,
        "interactions.csv",
        first as u64 + 2,
        "customer_id",
    );
    assert_at(
        spoil(later, first),
        ErrorKind::Unparsable,
        "interactions.csv",
        first as u64 + 2,
        "at",
    );
}

/// How a spelling of a CSV file is drawn: the columns' order, an extra column, the share of
/// cells quoted, blanks around cells, line ends, a byte-order mark, blank lines.
#[derive(Debug, Clone)]
struct Spelling {
    seed: u64,
    reorder: bool,
    extra: bool,
    quoted: f64,
    padded: bool,
    /// 0: `\n`, 1: `\r\n`, 2: a bare `\r`, 3: any of them line by line.
    ending: u8,
    bom: bool,
    blank_lines: bool,
}

fn spelling() -> impl proptest::strategy::Strategy<Value = Spelling> {
    use proptest::prelude::*;
    (
        any::<u64>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(0.0), Just(0.05), Just(0.5), Just(1.0)],
        any::<bool>(),
        0u8..4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(seed, reorder, extra, quoted, padded, ending, bom, blank_lines)| Spelling {
                seed,
                reorder,
                extra,
                quoted,
                padded,
                ending,
                bom,
                blank_lines,
            },
        )
}

/// `text` (a file as `write_csv_folder` writes it: no quotes, `\n` line ends) spelled another
/// way that means the same to a CSV reader.
fn respell(text: &str, how: &Spelling) -> String {
    use rand::{RngExt, SeedableRng, seq::SliceRandom};
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(how.seed);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let mut order: Vec<usize> = (0..rows[0].len()).collect();
    if how.reorder {
        order.shuffle(&mut rng);
    }
    let extra_at = rng.random_range(0..=order.len());
    let mut out = String::from(if how.bom { "\u{feff}" } else { "" });
    for (r, row) in rows.iter().enumerate() {
        let mut cells: Vec<String> = order
            .iter()
            .map(|&i| {
                let cell = row[i];
                let cell = if how.padded && r > 0 && !cell.is_empty() && rng.random_bool(0.2) {
                    format!(" {cell}  ")
                } else {
                    cell.to_owned()
                };
                if rng.random_bool(how.quoted) {
                    format!("\"{cell}\"")
                } else {
                    cell
                }
            })
            .collect();
        if how.extra {
            let junk = [
                "notes",
                "",
                "x",
                "\"a, b\"",
                "\"say \"\"hi\"\"\"",
                "\"two\nlines\"",
            ];
            let cell = if r == 0 {
                junk[0]
            } else {
                junk[rng.random_range(1..junk.len())]
            };
            cells.insert(extra_at, cell.to_owned());
        }
        out += &cells.join(",");
        let end = ["\n", "\r\n", "\r"][match how.ending {
            3 => rng.random_range(0..3),
            e => usize::from(e),
        }];
        out += end;
        if how.blank_lines && r > 0 && rng.random_bool(0.05) {
            out += end;
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// Columns in another order, an unknown column (with quoted commas, quotes and line breaks),
    /// quoted cells, blanks around cells, any line ends, a byte-order mark and blank lines: the
    /// same folder, spelled another way, loads the same population. Each spelling takes another
    /// path through the reader (cut at delimiters, or read by the CSV reader from the first
    /// quote or carriage return).
    #[test]
    fn any_spelling_of_a_folder_loads_the_same_population(
        seed in 1u64..50,
        spellings in proptest::collection::vec(spelling(), 6),
    ) {
        let base = Generator::new(GeneratorConfig { customers: 60, seed, ..Default::default() })
            .generate()
            .unwrap()
            .population;
        let written = folder(&format!("spelled_{seed}"));
        write_csv_folder(&base, &written).unwrap();
        let dir = folder(&format!("respelled_{seed}"));
        let mut files: Vec<_> = fs::read_dir(&written).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        proptest::prop_assert_eq!(files.len(), spellings.len());
        for (file, how) in files.iter().zip(&spellings) {
            let text = fs::read_to_string(file).unwrap();
            fs::write(dir.join(file.file_name().unwrap()), respell(&text, how)).unwrap();
        }
        let loaded = read_csv_folder(&dir).unwrap();
        proptest::prop_assert!(loaded == base);
    }
}
