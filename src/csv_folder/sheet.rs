//! Reading one CSV file: its header, then its rows in blocks, parsed in parallel parts.
//!
//! A file is read in blocks that grow from 2 to 32 megabytes. A block is cut at its last line
//! break; when it holds no quote character, every line break in it ends a record, so the block is
//! split at line breaks into parts that are parsed at once (on every core with the `parallel`
//! feature), and the parts' batches are handed on in file order (merged while the next block is
//! parsed), which keeps the result identical to a serial read. The first block with a quote character (a
//! quoted field may hold a line break) sends the rest of the file through one CSV reader in
//! order.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

use csv::{ByteRecord, ReaderBuilder};

use super::row::{Fields, Row, csv_error, io_error, unparsable};
use crate::population::builder::Locator;
use crate::{Error, Location, Problem, Result};

/// Bytes read per block, at most.
const BLOCK: usize = 32 << 20;
/// The first block of a file is this many times smaller, and each next one twice the size of
/// the one before (up to [`BLOCK`]): a block is parsed while the one before is merged, but the
/// first has nothing to overlap, and a file of customers, whose merge into the id index is the
/// slow part, may be a single block. (Measured on 500,000 customers: the customers' file read in
/// 0.19 to 0.21 s instead of 0.25 s.)
const FIRST_BLOCK_DIVISOR: usize = 16;
/// A UTF-8 byte-order mark: taken off the start of a file, refused at the start of a row.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Rows parsed between two merges when reading in order.
const SERIAL_BATCH: usize = 1 << 20;

/// An open CSV file: its path, its header, and where its data rows begin.
pub(super) struct Sheet {
    pub path: PathBuf,
    header: Vec<Vec<u8>>,
    /// The columns the file's reader reads (those its `column` and `required` may ask for).
    columns: &'static [&'static str],
    data_start: u64,
    /// Bytes read per block at most ([`BLOCK`]; smaller in tests, to cross block boundaries);
    /// the first block is [`FIRST_BLOCK_DIVISOR`] times smaller.
    block: usize,
}

impl Sheet {
    /// Reads the header row of a file whose reader reads `columns`.
    ///
    /// Refuses a header that names one of `columns` twice (one of the two would go unread), or
    /// a column that is not one of them but whose name is close to one (see [`loose`]): its
    /// values would go unread, silently. Other unknown columns are ignored, named twice or not.
    pub fn open(path: PathBuf, columns: &'static [&'static str]) -> Result<Sheet> {
        let file = File::open(&path).map_err(|source| io_error(&path, source))?;
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .from_reader(BufReader::new(file));
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(&path, &e))?
            .iter()
            .map(|h| h.trim_ascii().to_vec())
            .collect();
        let data_start = reader.position().byte();
        let header: Vec<Vec<u8>> = header;
        // A second byte-order mark (the reader took the first off): the same error as on a row.
        if header.first().is_some_and(|first| first.starts_with(BOM)) {
            return Err(Error::Record {
                location: Location::Csv {
                    file: path.clone(),
                    line: 1,
                },
                field: "(header)",
                value: "U+FEFF".to_owned(),
                problem: bom_problem(),
            });
        }
        let header_error = |name: &[u8], problem| Error::Record {
            location: Location::Csv {
                file: path.clone(),
                line: 1,
            },
            field: "(header)",
            value: String::from_utf8_lossy(name).into_owned(),
            problem,
        };
        let read = |h: &[u8]| columns.iter().any(|c| c.as_bytes() == h);
        // A column read named twice would leave one of the two unread: refuse it.
        if let Some(name) = header
            .iter()
            .enumerate()
            .find(|(i, h)| read(h) && header[..*i].contains(h))
            .map(|(_, h)| h)
        {
            return Err(header_error(name, Problem::DuplicateColumn));
        }
        for name in header.iter().filter(|h| !h.is_empty() && !read(h)) {
            if let Some(&column) = columns.iter().find(|c| loose(c.as_bytes()) == loose(name)) {
                return Err(header_error(name, Problem::MisnamedColumn { column }));
            }
        }
        Ok(Sheet {
            path,
            header,
            columns,
            data_start,
            block: BLOCK,
        })
    }

    /// The position of a column, if the header has it.
    pub fn column(&self, name: &'static str) -> Option<usize> {
        debug_assert!(self.columns.contains(&name), "{name} is not a column read");
        self.header.iter().position(|h| h == name.as_bytes())
    }

    /// The position of a column the file must have.
    pub fn required(&self, name: &'static str) -> Result<usize> {
        self.column(name).ok_or_else(|| Error::MissingColumn {
            path: self.path.clone(),
            column: name,
        })
    }

    /// Tells a builder where this file's records come from: positions are byte offsets.
    pub fn locator(&self) -> Locator {
        let file = self.path.clone();
        Locator(Box::new(move |offset| Location::Csv {
            line: super::row::line_at(&file, offset),
            file: file.clone(),
        }))
    }

    /// Parses every data row into batches with `parse`, and hands the batches to `merge` in file
    /// order together with `sink`. Parsing sees `lookups` read-only (the builder, to look ids up,
    /// or nothing), so it runs in parallel; merging changes `sink`, so it runs in order. A block's
    /// batches are merged while the next block is parsed (and read): merging copies rows into
    /// fresh memory on one core, which would otherwise leave the other idle between blocks.
    ///
    /// `progress` hears how many bytes of the file have been read after each block, and
    /// `finished` at the end.
    pub fn read<B, S, P, M>(
        &self,
        lookups: &B::Lookups,
        sink: &mut S,
        progress: &mut dyn FnMut(u64, bool),
        parse: P,
        mut merge: M,
    ) -> Result<()>
    where
        B: Batch,
        S: Send + ?Sized,
        P: Fn(&B::Lookups, &Row<'_>, &mut B) -> Result<()> + Sync,
        M: FnMut(&mut S, &mut B) -> Result<()> + Send,
    {
        let mut file = File::open(&self.path).map_err(|source| io_error(&self.path, source))?;
        let length = file.metadata().map_or(0, |m| m.len());
        file.seek(SeekFrom::Start(self.data_start))
            .map_err(|source| io_error(&self.path, source))?;
        let mut buffer: Vec<u8> = Vec::new();
        let mut spare: Vec<u8> = Vec::new();
        // One batch per part of the block being parsed, and of the block before, being merged;
        // kept from block to block so their memory is reused.
        let (mut parsing, mut merging): (Vec<B>, Vec<B>) = (Vec::new(), Vec::new());
        let mut to_merge = 0;
        let mut offset = self.data_start;
        let mut want = (self.block / FIRST_BLOCK_DIVISOR).max(1);
        let mut eof = false;
        loop {
            eof = eof
                || fill(&mut file, &mut buffer, want)
                    .map_err(|source| io_error(&self.path, source))?;
            if buffer.is_empty() {
                merge_all(&mut merge, sink, &mut merging[..to_merge])?;
                progress(offset, true);
                return Ok(());
            }
            let end = match (eof, last_line_end(&buffer)) {
                (true, _) => buffer.len(),
                (false, Some(end)) => end,
                (false, None) => {
                    // A line longer than a block: read more before cutting.
                    want *= 2;
                    continue;
                }
            };
            let parts = split_at_line_breaks(&buffer[..end], parts_per_block(end));
            parsing.resize_with(parts.len().max(parsing.len()), B::default);
            // Parse this block's parts while the previous block's are merged and the next block
            // is read.
            spare.clear();
            spare.extend_from_slice(&buffer[end..]);
            let next_want = self.block.min(want * 2).max(spare.len() + 1);
            let (parsed, (merged, read)) = crate::parallel::join(
                || {
                    crate::parallel::for_each_mut(&mut parsing[..parts.len()], |p, batch| {
                        let (start, part) = parts[p];
                        let parsed =
                            self.parse_slice(part, offset + start as u64, lookups, &parse, batch);
                        // An error resolving is about a row before any parse error.
                        match parsed {
                            Ok(Parsed::Quoted) => Ok(Parsed::Quoted),
                            parsed => batch.resolve(lookups, &self.path).and(parsed),
                        }
                    })
                },
                || {
                    let merged = merge_all(&mut merge, sink, &mut merging[..to_merge]);
                    let read = if eof {
                        Ok(true)
                    } else {
                        fill(&mut file, &mut spare, next_want)
                    };
                    (merged, read)
                },
            );
            // Of the errors found while parsing and merging, the first in file order: those of
            // the block before, then the rows before a part's parse error (in earlier parts, and
            // in its own batch), as they may hold an earlier one. (Checks that need every file,
            // made when the population is built, come after any of these.)
            merged?;
            if parsed.iter().any(|p| matches!(p, Ok(Parsed::Quoted))) {
                // A quote character: the lines of this block may not be records. Its parts'
                // rows are dropped, and the rest of the file is read in order from the block's
                // start (which finds again any error they held).
                for batch in &mut parsing[..parts.len()] {
                    batch.clear();
                }
                // The block's lines, then the bytes read after them (`spare` begins with the
                // unfinished line at the block's end; if reading them failed, it holds what was
                // read, and reading the file again meets the failure after the rows before it),
                // then the rest of the file.
                drop(read);
                if buffer.starts_with(BOM) {
                    // The CSV reader would take it off silently, as at the start of a file.
                    return Err(self.bom_error(offset));
                }
                buffer.truncate(end);
                let rest = std::io::Cursor::new(std::mem::take(&mut buffer))
                    .chain(std::io::Cursor::new(std::mem::take(&mut spare)))
                    .chain(file);
                self.read_in_order(rest, offset, lookups, sink, &parse, &mut merge)?;
                progress(length, true);
                return Ok(());
            }
            if let Some(failed) = parsed.iter().position(Result::is_err) {
                merge_all(&mut merge, sink, &mut parsing[..=failed])?;
            }
            if let Some(err) = parsed.into_iter().find_map(Result::err) {
                return Err(err);
            }
            eof = read.map_err(|source| io_error(&self.path, source))?;
            offset += end as u64;
            progress(offset, false);
            to_merge = parts.len();
            std::mem::swap(&mut buffer, &mut spare);
            std::mem::swap(&mut parsing, &mut merging);
            want = next_want;
        }
    }

    /// Parses the rows of a slice of whole lines that starts at byte `base` of the file, unless
    /// it holds a quote character ([`Parsed::Quoted`]: its lines may not be whole records).
    ///
    /// Without quotes and carriage returns, a line break ends a record and a comma ends a field,
    /// and nothing else does: the slice is cut at those bytes directly, which is what the CSV
    /// reader would do with it, several times faster. The same scan finds the quotes and carriage
    /// returns ([`Delimiters`]): at the first one, the slice is left to the CSV reader, which
    /// knows every kind of line end (a carriage return, and no quote after it: the rows cut so far
    /// are dropped and the whole slice is read again), or the whole block is ([`Parsed::Quoted`]).
    /// A row that fails before any of them fails as the CSV reader would make it fail, unless a
    /// quote comes later in the slice (the block is then read in order, as it would have been).
    fn parse_slice<B: Batch, P>(
        &self,
        bytes: &[u8],
        base: u64,
        lookups: &B::Lookups,
        parse: &P,
        batch: &mut B,
    ) -> Result<Parsed>
    where
        P: Fn(&B::Lookups, &Row<'_>, &mut B) -> Result<()>,
    {
        if bytes.starts_with(BOM) {
            // The CSV reader would take it off silently, as at the start of a file.
            return Err(self.bom_error(base));
        }
        // Whether a quote comes at or after `at`: the block is then read in order.
        let quote_from = |at: usize| memchr::memchr(b'"', &bytes[at..]).is_some();
        let mut fields: Vec<&[u8]> = Vec::with_capacity(self.header.len());
        // One pass over the delimiters: a comma ends a field, a line break a record.
        let (mut line_start, mut field_start) = (0, 0);
        for at in Delimiters::new(bytes).chain(std::iter::once(bytes.len())) {
            match bytes.get(at) {
                Some(b',') => {
                    fields.push(&bytes[field_start..at]);
                    field_start = at + 1;
                    continue;
                }
                Some(b'\n') | None => {}
                Some(b'"') => return Ok(Parsed::Quoted),
                Some(b'\r') if quote_from(at) => return Ok(Parsed::Quoted),
                Some(b'\r') => break, // read again by the CSV reader, below
                Some(_) => continue,  // a space, say: part of a field
            }
            // A line ends here (or the slice does).
            fields.push(&bytes[field_start..at]);
            field_start = at + 1;
            let blank = at == line_start;
            if !blank {
                let row = self.row(Fields::Cut(&fields), base + line_start as u64);
                if let Err(err) = row.and_then(|row| parse(lookups, &row, batch)) {
                    return if quote_from(at) {
                        Ok(Parsed::Quoted)
                    } else {
                        Err(err)
                    };
                }
            }
            if at == bytes.len() {
                return Ok(Parsed::Rows);
            }
            fields.clear();
            line_start = at + 1;
        }
        // A carriage return: the rows cut so far are dropped, and the CSV reader, which knows
        // every kind of line end, reads the whole slice.
        batch.clear();
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = ByteRecord::new();
        while self.next(&mut reader, &mut record, base)? {
            let offset = base + record.position().map_or(0, |p| p.byte());
            parse(lookups, &self.row(Fields::Record(&record), offset)?, batch)?;
        }
        Ok(Parsed::Rows)
    }

    /// Parses the rest of the file through one CSV reader, merging every so many rows.
    fn read_in_order<B: Batch, S: ?Sized, P, M, R>(
        &self,
        rest: R,
        base: u64,
        lookups: &B::Lookups,
        sink: &mut S,
        parse: &P,
        merge: &mut M,
    ) -> Result<()>
    where
        R: Read,
        P: Fn(&B::Lookups, &Row<'_>, &mut B) -> Result<()>,
        M: FnMut(&mut S, &mut B) -> Result<()>,
    {
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(1 << 20, rest));
        let mut record = ByteRecord::new();
        let (mut batch, mut rows) = (B::default(), 0);
        loop {
            let step = self.next(&mut reader, &mut record, base).and_then(|more| {
                if more {
                    let offset = base + record.position().map_or(0, |p| p.byte());
                    parse(
                        lookups,
                        &self.row(Fields::Record(&record), offset)?,
                        &mut batch,
                    )?;
                }
                Ok(more)
            });
            match step {
                Ok(true) => {}
                Ok(false) => break,
                Err(err) => {
                    // The rows before it are merged first: they may hold an earlier error.
                    batch.resolve(lookups, &self.path)?;
                    merge(sink, &mut batch)?;
                    return Err(err);
                }
            }
            rows += 1;
            if rows == SERIAL_BATCH {
                batch.resolve(lookups, &self.path)?;
                merge(sink, &mut batch)?;
                batch.clear();
                rows = 0;
            }
        }
        batch.resolve(lookups, &self.path)?;
        merge(sink, &mut batch)
    }

    /// Reads the next record; `false` at the end. Errors carry the file's offsets.
    fn next<R: Read>(
        &self,
        reader: &mut csv::Reader<R>,
        record: &mut ByteRecord,
        base: u64,
    ) -> Result<bool> {
        reader
            .read_byte_record(record)
            .map_err(|e| match e.position() {
                Some(p) => super::row::csv_error_at(&self.path, &e, base + p.byte()),
                None => csv_error(&self.path, &e),
            })
    }

    /// A record's fields as a row starting at byte `offset`, checked to have one field per
    /// column and not to start with a byte-order mark.
    fn row<'r>(&'r self, fields: Fields<'r>, offset: u64) -> Result<Row<'r>> {
        let row = Row {
            fields,
            path: &self.path,
            offset,
        };
        // After spaces too: trimmed, the id would keep the invisible mark and look like another.
        if fields
            .first()
            .is_some_and(|first| first.trim_ascii_start().starts_with(BOM))
        {
            return Err(self.bom_error(offset));
        }
        if fields.len() != self.header.len() {
            return Err(Error::Record {
                location: row.location(),
                field: "(row)",
                value: format!("{} fields", fields.len()),
                problem: Problem::WrongFieldCount {
                    expected: self.header.len(),
                },
            });
        }
        Ok(row)
    }

    /// A data row that starts with a byte-order mark, at byte `offset`: refused rather than read
    /// as part of its first field (an id no other row uses) or taken off (which the CSV reader
    /// does only where its input starts), as it most likely marks the start of another file
    /// joined to this one.
    fn bom_error(&self, offset: u64) -> Error {
        let row = Row {
            fields: Fields::Cut(&[]),
            path: &self.path,
            offset,
        };
        row.error("(row)", b"U+FEFF", bom_problem())
    }
}

/// What is wrong with a row, or a header, that starts with a byte-order mark.
fn bom_problem() -> Problem {
    unparsable("no byte-order mark at the start of a row (files joined together?)")
}

/// A column name as a person might misspell it: in lower case, with a space, hyphen or dot read
/// as an underscore, and one trailing `s` dropped (so `Decided At`, `decided-at` and
/// `decided_at` are one name, and `vote` is `votes`).
fn loose(name: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = name
        .iter()
        .map(|&b| match b.to_ascii_lowercase() {
            b' ' | b'-' | b'.' => b'_',
            lower => lower,
        })
        .collect();
    if out.len() > 1 && out.last() == Some(&b's') {
        out.pop();
    }
    out
}

/// What became of a part of a block.
enum Parsed {
    /// Its rows are in its batch.
    Rows,
    /// It holds a quote character, and was not parsed.
    Quoted,
}

/// What rows are parsed into: kept between blocks, and emptied after each merge so that its
/// memory is reused.
pub(crate) trait Batch: Default + Send {
    /// What the parse looks ids up in, read-only: the builder, or nothing.
    type Lookups: Sync + ?Sized;

    /// Finishes what the parse left to do with `lookups` once the batch's rows are parsed,
    /// before the batch is merged: looking ids up all at once. An error is about a row of the
    /// batch (`path` names its file). Called again, it does nothing.
    fn resolve(&mut self, _lookups: &Self::Lookups, _path: &std::path::Path) -> Result<()> {
        Ok(())
    }

    /// Empties the batch, keeping its memory.
    fn clear(&mut self);
}

/// Rows that need no lookups.
impl<T: Send> Batch for Vec<T> {
    type Lookups = ();

    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// Merges batches into `sink` in order, emptying each.
fn merge_all<B: Batch, S: ?Sized>(
    merge: &mut impl FnMut(&mut S, &mut B) -> Result<()>,
    sink: &mut S,
    batches: &mut [B],
) -> Result<()> {
    for batch in batches {
        merge(sink, batch)?;
        batch.clear();
    }
    Ok(())
}

/// The positions of the bytes below `-` (0x2D) of a slice, in order: the commas, line feeds,
/// quotes and carriage returns that end or quote a CSV field, and the rarer bytes below them, such
/// as spaces, which the caller skips. Found eight bytes at a time with word arithmetic, as rows
/// are short (about 50 bytes and 5 delimiters each), where a vectorized search started afresh for
/// every field costs more in setting up than it saves; one test finds all four kinds, so no
/// separate search for quotes and carriage returns reads the slice first.
struct Delimiters<'a> {
    bytes: &'a [u8],
    /// The positions not yet returned of the last word read, which ends at `next_word`: the top
    /// bit of each of its bytes that is one.
    mask: u64,
    next_word: usize,
}

impl<'a> Delimiters<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Delimiters {
            bytes,
            mask: 0,
            next_word: 0,
        }
    }
}

/// The top bit of each byte of `word` below `-` (0x2D). For a byte `b`, `(b & 0x7F) + 0x53`
/// has its top bit set exactly when `b & 0x7F` is 0x2D or more, and never carries out of the
/// byte (at most 0x7F + 0x53 = 0xD2); so that bit is clear, and `b`'s own top bit too, exactly
/// when `b` is below 0x2D.
#[inline]
fn delimiter_mask(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const BYTES: u64 = 0x0101_0101_0101_0101;
    !((word & LOW7) + (0x80 - u64::from(b'-')) * BYTES) & !word & (0x80 * BYTES)
}

impl Iterator for Delimiters<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let start = self.next_word;
            let word = match self.bytes.get(start..).and_then(<[u8]>::first_chunk::<8>) {
                Some(word) => *word,
                None => {
                    // The last bytes, padded with dashes (not below a dash).
                    let rest = self.bytes.get(start..).filter(|r| !r.is_empty())?;
                    let mut word = [b'-'; 8];
                    word[..rest.len()].copy_from_slice(rest);
                    word
                }
            };
            self.mask = delimiter_mask(u64::from_le_bytes(word));
            self.next_word = start + 8;
        }
        let at = self.next_word - 8 + (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// Appends up to `want` bytes in all to `buffer`; `true` at the end of the file.
fn fill(file: &mut File, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buffer.len() < want {
        let missing = (want - buffer.len()) as u64;
        if file.take(missing).read_to_end(buffer)? == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Bytes per part of a block, about: parts this small keep both cores busy to the end of each
/// block. A block is parsed while the block before is merged, and with parts of 4 MB (8 per
/// block of 32 MB), a core that finished its last part early waited up to one part's parse for
/// the other: `rank` on 500,000 customers took 6% more time, and 6% more processor time (a
/// waiting thread spins for a while before it sleeps). Parts of 0.5 MB were slower again.
#[cfg(feature = "parallel")]
const PART: usize = 1 << 20;

/// Parts to cut a block of `len` bytes into: about one per [`PART`] bytes, and at least a few per
/// core, so that an uneven part does not leave a core idle, and the core that merges the block
/// before picks up its share of parts when it is done. One without the `parallel` feature.
fn parts_per_block(len: usize) -> usize {
    #[cfg(feature = "parallel")]
    {
        (len / PART).max(rayon::current_num_threads() * 4)
    }
    #[cfg(not(feature = "parallel"))]
    {
        let _ = len;
        1
    }
}

/// Where the whole lines of `bytes` end, when more bytes may follow: after the last line break
/// (`\n`, `\r\n` or a bare `\r`, as the CSV reader reads them), or before a `\r` that ends
/// `bytes` (its `\n` may come with the next read); `None` without a whole line. Bare `\r` files
/// are cut into blocks like any other, rather than read whole.
fn last_line_end(bytes: &[u8]) -> Option<usize> {
    let last = memchr::memrchr2(b'\n', b'\r', bytes)?;
    match (bytes[last], last + 1 == bytes.len()) {
        (b'\r', true) => (last > 0).then_some(last),
        _ => Some(last + 1),
    }
}

/// Splits whole records into about `parts` slices of similar size, each cut after a line break
/// (`\n`, `\r\n` or a bare `\r`); returns each slice with its offset in `bytes`.
fn split_at_line_breaks(bytes: &[u8], parts: usize) -> Vec<(usize, &[u8])> {
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..parts {
        // (In 64 bits: the product overflows a 32-bit `usize` for a buffer of 64 MB or more.)
        let target = ((bytes.len() as u64 * p as u64 / parts as u64) as usize).max(start);
        let Some(cut) = memchr::memchr2(b'\n', b'\r', &bytes[target..]).map(|i| {
            let cut = target + i + 1;
            // A `\r\n` stays whole.
            cut + usize::from(bytes[cut - 1] == b'\r' && bytes.get(cut) == Some(&b'\n'))
        }) else {
            break;
        };
        if cut > start {
            out.push((start, &bytes[start..cut]));
            start = cut;
        }
    }
    if start < bytes.len() {
        out.push((start, &bytes[start..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a file's rows (first field, line) with a given block size.
    fn rows(path: &std::path::Path, block: usize) -> Result<Vec<(String, u64)>> {
        let mut sheet = Sheet::open(path.to_path_buf(), &[])?;
        sheet.block = block;
        let mut out = Vec::new();
        sheet.read(
            &(),
            &mut out,
            &mut |_, _| {},
            |_, row, batch: &mut Vec<(String, u64)>| {
                batch.push((
                    row.required_text(0, "a")?.to_owned(),
                    super::super::row::line_at(row.path, row.offset()),
                ));
                Ok(())
            },
            |out, batch| {
                out.append(batch);
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn file(name: &str, text: &str) -> crate::test_files::TestFile {
        crate::test_files::TestFile::new(name, text)
    }

    /// A header `a,b` and `count` rows `row{i},` followed by `i % 17` x's, each line ended by
    /// `end`: lines of varied lengths, so that blocks end at varied places in them.
    fn numbered_rows(count: usize, end: &str) -> String {
        let mut text = format!("a,b{end}");
        for i in 0..count {
            text.push_str(&format!("row{i},{}{end}", "x".repeat(i % 17)));
        }
        text
    }

    #[test]
    fn every_block_size_reads_the_same_rows_with_quotes_or_without() {
        let plain = numbered_rows(200, "\n");
        // A quoted field with a line break in it, half-way.
        let quoted =
            plain
                .replacen("row100,", "\"row100\",", 1)
                .replacen("row101,", "\"row\n101\",", 1);
        let crlf = plain.replace('\n', "\r\n");
        for (name, text) in [
            ("plain.csv", &plain),
            ("quoted.csv", &quoted),
            ("crlf.csv", &crlf),
        ] {
            let path = file(name, text);
            let whole = rows(&path, 1 << 20).unwrap();
            assert_eq!(whole.len(), 200, "{name}");
            assert_eq!(
                whole[3].0, "row3",
                "{name}: fields are trimmed of the line end"
            );
            for block in [7, 16, 64, 100, 999] {
                assert_eq!(rows(&path, block).unwrap(), whole, "{name}, block {block}");
            }
            assert_eq!(
                whole[101].0,
                if name == "quoted.csv" {
                    "row\n101"
                } else {
                    "row101"
                }
            );
        }
    }

    /// A quoted field holding line breaks, one of its lines a row of three fields on its own:
    /// whichever part that line falls in, the block is read in order, with no error.
    #[test]
    fn a_line_inside_a_quoted_field_is_not_a_row_whatever_the_block_size() {
        let mut text = String::from("a,b\n");
        for i in 0..40 {
            text.push_str(&format!("row{i},{i}\n"));
        }
        text.push_str("\"q\nline,with,commas\nend\",2\n");
        for i in 40..80 {
            text.push_str(&format!("row{i},{i}\n"));
        }
        let path = file("quoted_lines.csv", &text);
        let whole = rows(&path, 1 << 20).unwrap();
        assert_eq!(whole.len(), 81);
        assert_eq!(whole[40].0, "q\nline,with,commas\nend");
        for block in [9, 16, 40, 64, 100, 333, 999] {
            assert_eq!(rows(&path, block).unwrap(), whole, "block {block}");
        }
    }

    #[test]
    fn errors_name_the_line_whatever_the_block_size() {
        for (name, text) in [
            ("short.csv", "a,b\nx,1\ny,2\n\nz\nw,4\n"),
            ("short-crlf.csv", "a,b\r\nx,1\r\ny,2\r\n\r\nz\r\nw,4\r\n"),
            // Bare `\r` line ends (old Mac files), which the CSV reader also takes as line ends.
            ("short-cr.csv", "a,b\rx,1\ry,2\r\rz\rw,4\r"),
            ("short-mixed.csv", "a,b\r\nx,1\ry,2\n\r\nz\nw,4\r"),
            // A quote after the error, in the same block: the block is read again in order.
            (
                "short-quoted.csv",
                "a,b\nx,1\ny,2\n\nz\nw,4\n\"v\",5\nu,6\n",
            ),
        ] {
            let path = file(name, text);
            for block in [3, 8, 1 << 20] {
                match rows(&path, block).unwrap_err() {
                    Error::Record {
                        location: Location::Csv { line, .. },
                        problem: Problem::WrongFieldCount { .. },
                        ..
                    } => {
                        assert_eq!(line, 5, "{name}, block {block}")
                    }
                    other => panic!("{other}"),
                }
            }
        }
    }

    /// A byte-order mark at the start of the file is taken off; a second one before the header
    /// is an error at line 1; at the start of a data row (two files joined together), or after
    /// spaces there, it is an error naming the row's line, wherever the row falls in a block or
    /// part (where a CSV reader's input starts, the reader alone would take it off silently),
    /// with quotes or without, with `\r\n` line ends or `\n`.
    #[test]
    fn a_byte_order_mark_starts_a_file_but_no_row() {
        let mut plain = String::from("\u{feff}a,b\n");
        for i in 0..30 {
            plain.push_str(&format!("row{i},{i}\n"));
        }
        let doubled = file("bom-twice.csv", &format!("\u{feff}{plain}"));
        match Sheet::open(doubled.to_path_buf(), &[]).err() {
            Some(Error::Record {
                location: Location::Csv { line: 1, .. },
                problem: Problem::Unparsable { .. },
                ..
            }) => {}
            other => panic!("a second byte-order mark before the header: {other:?}"),
        }
        let path = file("bom-file.csv", &plain);
        let whole = rows(&path, 1 << 20).unwrap();
        assert_eq!(whole.len(), 30);
        assert_eq!(whole[0], ("row0".to_owned(), 2));
        for at in [0, 1, 17, 29] {
            let joined = plain.replacen(&format!("row{at},"), &format!("\u{feff}row{at},"), 1);
            let quoted = joined.replacen("row5,", "\"row5\",", 1);
            let crlf = joined.replace('\n', "\r\n");
            let spaced = plain.replacen(&format!("row{at},"), &format!(" \u{feff}row{at},"), 1);
            for (name, text) in [
                ("bom.csv", joined),
                ("bom-after-a-space.csv", spaced),
                ("bom-quoted.csv", quoted),
                ("bom-crlf.csv", crlf),
            ] {
                let path = file(name, &text);
                // Blocks that start a part or a reader's input at the row, and blocks that do not.
                for block in [1, 5, 9, 16, 37, 64, 1 << 20] {
                    match rows(&path, block).unwrap_err() {
                        Error::Record {
                            location: Location::Csv { line, .. },
                            problem: Problem::Unparsable { .. },
                            value,
                            ..
                        } => {
                            assert_eq!(line, at as u64 + 2, "{name}, row {at}, block {block}");
                            assert_eq!(value, "U+FEFF");
                        }
                        other => panic!("{name}, row {at}, block {block}: {other}"),
                    }
                }
            }
        }
    }

    /// The first error in the file wins, whether the merge finds it (here: a repeated first
    /// field, at line 4) or the parse does (a short row, at line 6, later in the same block or
    /// in a part parsed at the same time); with quotes (read in order) or without.
    #[test]
    fn the_first_error_in_the_file_wins_over_a_later_one_found_earlier() {
        let plain = "a,b\nx,1\ny,2\nx,3\nz,4\nshort\nw,5\n";
        let quoted = plain.replacen("y,2", "\"y\",2", 1);
        for (name, text) in [
            ("first.csv", plain.to_owned()),
            ("first-quoted.csv", quoted),
        ] {
            let path = file(name, &text);
            for block in [5, 9, 16, 1 << 20] {
                let mut sheet = Sheet::open(path.to_path_buf(), &[]).unwrap();
                sheet.block = block;
                let mut seen = std::collections::HashSet::new();
                let err = sheet
                    .read(
                        &(),
                        &mut seen,
                        &mut |_, _| {},
                        |_, row, batch: &mut Vec<(String, u64)>| {
                            batch.push((row.required_text(0, "a")?.to_owned(), row.offset()));
                            Ok(())
                        },
                        |seen, batch| {
                            for (a, offset) in batch.drain(..) {
                                if !seen.insert(a.clone()) {
                                    return Err(Error::parameter("a", a, format!("at {offset}")));
                                }
                            }
                            Ok(())
                        },
                    )
                    .unwrap_err();
                // Line 4, the repeated "x".
                let line_4 = text.find("\nx,3").unwrap() + 1;
                assert_eq!(
                    err.kind(),
                    crate::ErrorKind::InvalidParameter,
                    "{name}: {err}"
                );
                assert!(
                    err.to_string().ends_with(&format!("at {line_4}")),
                    "{name}, block {block}: {err}"
                );
            }
        }
    }

    #[test]
    fn parts_are_whole_lines_and_cover_everything() {
        for text in [
            &b"a,1\nbb,2\nccc,3\ndddd,4\n"[..],
            b"a,1\r\nbb,2\r\nccc,3\r\ndddd,4\r\n",
            b"a,1\rbb,2\rccc,3\rdddd,4\r",
        ] {
            let end = &text[text.len() - 1..];
            for parts in 1..8 {
                let split = split_at_line_breaks(text, parts);
                let joined: Vec<u8> = split.iter().flat_map(|(_, p)| p.iter().copied()).collect();
                assert_eq!(joined, text.to_vec());
                // Cut at line breaks of each kind.
                assert!(split.len() >= parts.min(2), "{parts} parts: {split:?}");
                for (start, part) in &split {
                    assert!(part.ends_with(end), "{part:?}");
                    assert_eq!(&text[*start..*start + part.len()], *part);
                }
            }
        }
    }

    /// The word-at-a-time search finds what a byte search finds: every byte value beside each
    /// delimiter (a carry between bytes would flag the byte after a delimiter, or above one).
    #[test]
    fn delimiters_are_found_as_a_byte_search_finds_them() {
        let every: Vec<u8> = (0..=255u8)
            .flat_map(|b| [b, b',', b, b'\n', b.wrapping_add(1), b, b'"', b'\r'])
            .collect();
        for start in 0..8 {
            let bytes = &every[start..];
            let ours: Vec<usize> = Delimiters::new(bytes).collect();
            assert_eq!(ours, below_dash(bytes), "from {start}");
        }
        assert_eq!(Delimiters::new(b"").count(), 0);
        assert_eq!(Delimiters::new(b"abc-").count(), 0);
        assert_eq!(Delimiters::new(b",").collect::<Vec<_>>(), [0]);
        assert_eq!(Delimiters::new(b"abcdefgh\n").collect::<Vec<_>>(), [8]);
        assert_eq!(
            Delimiters::new(b"a b\"\r\xff,").collect::<Vec<_>>(),
            [1, 3, 4, 6]
        );
    }

    /// The positions of the bytes below `-`, one byte at a time.
    fn below_dash(bytes: &[u8]) -> Vec<usize> {
        (bytes.iter().enumerate())
            .filter(|&(_, &b)| b < b'-')
            .map(|(i, _)| i)
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn delimiters_match_a_byte_search_on_any_bytes(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b','),
                    proptest::prelude::Just(b'\n'),
                    proptest::prelude::Just(b'-'),
                    proptest::prelude::any::<u8>(),
                ],
                0..100,
            )
        ) {
            let ours: Vec<usize> = Delimiters::new(&bytes).collect();
            proptest::prop_assert_eq!(ours, below_dash(&bytes));
        }
    }

    #[test]
    fn blocks_end_after_a_line_break_of_any_kind() {
        assert_eq!(last_line_end(b"a,1\nb,2"), Some(4));
        assert_eq!(last_line_end(b"a,1\r\nb,2"), Some(5));
        assert_eq!(last_line_end(b"a,1\rb,2"), Some(4));
        // A `\r` at the end may be the first half of a `\r\n`: the line ends before it.
        assert_eq!(last_line_end(b"a,1\rb,2\r"), Some(7));
        assert_eq!(last_line_end(b"a,1\r"), Some(3));
        assert_eq!(last_line_end(b"\r"), None);
        assert_eq!(last_line_end(b"a,1"), None);
    }

    /// A file with bare `\r` line ends is read block by block, like any other (it was read
    /// whole, as the blocks were cut at `\n` only), with the same rows and lines.
    #[test]
    fn bare_carriage_return_files_are_read_in_blocks() {
        let text = numbered_rows(200, "\r");
        let path = file("bare-cr.csv", &text);
        let whole = rows(&path, 1 << 20).unwrap();
        assert_eq!(whole.len(), 200);
        assert_eq!(whole[7], ("row7".to_owned(), 9));
        for block in [7, 16, 64, 100, 999] {
            let mut sheet = Sheet::open(path.to_path_buf(), &[]).unwrap();
            sheet.block = block;
            let (mut out, mut blocks) = (Vec::new(), 0);
            sheet
                .read(
                    &(),
                    &mut out,
                    &mut |_, finished| blocks += usize::from(!finished),
                    |_, row, batch: &mut Vec<(String, u64)>| {
                        let id = row.required_text(0, "a")?.to_owned();
                        batch.push((id, super::super::row::line_at(row.path, row.offset())));
                        Ok(())
                    },
                    |out, batch| {
                        out.append(batch);
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(out, whole, "block {block}");
            let least = (text.len() / (4 * block)).max(2);
            assert!(blocks >= least, "block {block}: {blocks} blocks");
        }
    }

    /// The first block is a sixteenth of the block size, and each next one twice the one
    /// before, up to the block size: so that parsing the first block, which nothing overlaps, is
    /// short.
    #[test]
    fn blocks_grow_from_a_small_first_one() {
        let text = numbered_rows(400, "\n");
        let path = file("growing.csv", &text);
        let block = 1600;
        let mut sheet = Sheet::open(path.to_path_buf(), &[]).unwrap();
        sheet.block = block;
        let mut ends = vec![sheet.data_start];
        let mut out = Vec::new();
        sheet
            .read(
                &(),
                &mut out,
                &mut |bytes, finished| {
                    if !finished {
                        ends.push(bytes);
                    }
                },
                |_, row, batch: &mut Vec<String>| {
                    batch.push(row.required_text(0, "a")?.to_owned());
                    Ok(())
                },
                |out, batch| {
                    out.append(batch);
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(out.len(), 400);
        let sizes: Vec<u64> = ends.windows(2).map(|w| w[1] - w[0]).collect();
        // Each block is cut at its last line break: up to a line (at most 25 bytes) shorter.
        assert!((75..=100).contains(&sizes[0]), "{sizes:?}");
        for pair in sizes.windows(2) {
            assert!(
                pair[1] <= (2 * (pair[0] + 25)).min(block as u64),
                "{sizes:?}"
            );
        }
        assert!(
            sizes.iter().filter(|&&s| s > 1500).count() >= 2,
            "{sizes:?}"
        );
    }

    /// A carriage return after some rows of a part: the part is read again by the CSV reader,
    /// with no row twice; and a row that fails before it fails the same at every block size.
    #[test]
    fn a_carriage_return_after_some_rows_reads_the_part_again() {
        let mut text = String::from("a,b\n");
        for i in 0..60 {
            let end = if i % 25 == 24 { "\r\n" } else { "\n" };
            text.push_str(&format!("row{i}, x y{end}"));
        }
        let path = file("late-cr.csv", &text);
        let lines = |rows: &[(String, u64)]| rows.iter().map(|r| r.1).collect::<Vec<_>>();
        let whole = rows(&path, 1 << 20).unwrap();
        assert_eq!(whole.len(), 60);
        assert_eq!(whole[59], ("row59".to_owned(), 61));
        assert_eq!(lines(&whole), (2..62).collect::<Vec<u64>>());
        for block in [5, 16, 64, 100, 333, 999] {
            assert_eq!(rows(&path, block).unwrap(), whole, "block {block}");
        }
        let broken = file("late-cr-error.csv", &text.replacen("row7, x y", "row7", 1));
        for block in [5, 16, 64, 100, 333, 999, 1 << 20] {
            let err = rows(&broken, block).unwrap_err();
            assert_eq!(
                err.kind(),
                crate::ErrorKind::WrongFieldCount,
                "block {block}: {err}"
            );
            assert!(err.to_string().contains(":9:"), "block {block}: {err}");
        }
    }
}
