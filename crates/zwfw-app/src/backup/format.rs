//! The backup file.
//!
//! ```text
//! ZWFW-BACKUP 1\n                      magic
//! {"format":1,…}\n                      header (JSON, one line, plain)
//! [type u8][length u32 BE][payload]     chunks: type 1 data, type 2 the last one
//! …
//! [32 bytes]                            SM3 of every byte before
//! ```
//!
//! The chunks carry one deflate stream, cut in pieces of at most 1 MiB. When
//! the backup is encrypted, each piece is sealed with SM4-GCM: the nonce is
//! the header's 8-byte prefix and the chunk's number, the associated data
//! binds the header's SM3, the chunk's number and its type, so that a chunk
//! altered, moved, left out or cut off after is refused. The SM3 at the end
//! tells a damaged or truncated file from a wrong key without any key.
//!
//! Inside the deflate stream, frames `[type u8][length u32 BE][payload]`:
//! `T` a table begins (JSON: name and typed columns), `R` rows of it (JSON
//! arrays, one a line), `F` a stored file begins (JSON: SM3 and size), `D`
//! its bytes, `M` the manifest, last.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use std::io::{self, Read, Write};

pub const MAGIC: &[u8] = b"ZWFW-BACKUP 1\n";
/// The largest piece of the deflate stream per chunk.
const CHUNK: usize = 1 << 20;
const DATA: u8 = 1;
const LAST: u8 = 2;
/// The GCM tag.
const TAG: usize = 16;
/// The longest header line read.
const HEADER_MAX: usize = 64 * 1024;

pub const FRAME_TABLE: u8 = b'T';
pub const FRAME_ROWS: u8 = b'R';
pub const FRAME_FILE: u8 = b'F';
pub const FRAME_DATA: u8 = b'D';
pub const FRAME_MANIFEST: u8 = b'M';
/// The largest frame read (a manifest listing very many files is the largest).
const FRAME_MAX: usize = 1 << 30;

/// SM4 in Galois/Counter Mode with a 96-bit nonce (SM4-GCM, RFC 8998).
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The plain first line after the magic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub program: String,
    pub created_at: i64,
    /// `sqlite` or `postgres`.
    pub source: String,
    pub schema_version: i64,
    /// `deflate`.
    pub compression: String,
    /// `none` or `sm4-gcm`.
    pub encryption: String,
    /// With encryption: the check value of the key (see `zwfw_domain::backup::backup_keys`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check: Option<String>,
    /// With encryption: the nonces' 8-byte prefix, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl Header {
    pub fn encrypted(&self) -> bool {
        self.encryption != "none"
    }
}

/// Why a backup file cannot be read.
#[derive(Debug)]
pub enum Fault {
    /// Not a backup file of this program (the reason).
    NotBackup(String),
    /// It ends before its end.
    Truncated,
    /// Some bytes are not what was written (where).
    Damaged(String),
    /// Encrypted, and no key is configured.
    KeyMissing,
    /// Encrypted with another key.
    WrongKey,
    Io(io::Error),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::NotBackup(why) => write!(f, "not a zwfw backup: {why}"),
            Fault::Truncated => f.write_str("the file is truncated"),
            Fault::Damaged(at) => write!(f, "the file is damaged ({at})"),
            Fault::KeyMissing => f.write_str("the backup is encrypted and no master key is configured"),
            Fault::WrongKey => f.write_str("the backup is encrypted with another key"),
            Fault::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Seals and opens the chunks of one file.
struct Sealer {
    cipher: Sm4Gcm,
    prefix: [u8; 8],
    header_sm3: [u8; 32],
}

impl Sealer {
    fn new(key: &[u8; 16], prefix: [u8; 8], header_sm3: [u8; 32]) -> Sealer {
        Sealer { cipher: Sm4Gcm::new_from_slice(key).expect("a 128-bit key"), prefix, header_sm3 }
    }

    fn nonce(&self, index: u32) -> [u8; 12] {
        let mut n = [0u8; 12];
        n[..8].copy_from_slice(&self.prefix);
        n[8..].copy_from_slice(&index.to_be_bytes());
        n
    }

    fn aad(&self, index: u32, ty: u8) -> Vec<u8> {
        let mut a = b"zwfw-backup/1".to_vec();
        a.extend_from_slice(&self.header_sm3);
        a.extend_from_slice(&index.to_be_bytes());
        a.push(ty);
        a
    }

    fn seal(&self, index: u32, ty: u8, plain: &[u8]) -> Vec<u8> {
        let aad = self.aad(index, ty);
        self.cipher
            .encrypt((&self.nonce(index)).into(), Payload { msg: plain, aad: &aad })
            .expect("SM4-GCM seals any length below 64 GiB")
    }

    fn open(&self, index: u32, ty: u8, sealed: &[u8]) -> Option<Vec<u8>> {
        let aad = self.aad(index, ty);
        self.cipher.decrypt((&self.nonce(index)).into(), Payload { msg: sealed, aad: &aad }).ok()
    }
}

fn header_line(header: &Header) -> Vec<u8> {
    let mut line = serde_json::to_vec(header).expect("a header serializes");
    line.push(b'\n');
    line
}

/// Writes the chunks of a backup file to `out` (what is written to it is
/// the deflate stream).
pub struct ChunkWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    index: u32,
    hash: Sm3,
    sealer: Option<Sealer>,
    written: u64,
}

/// What finishing a backup file gives: the sink, the file's size and the SM3 of the whole file.
pub struct Written<W> {
    pub out: W,
    pub size: u64,
    pub sm3: String,
}

impl<W: Write> ChunkWriter<W> {
    /// Starts the file: its magic and `header` (with `key`, the header must
    /// say `sm4-gcm` and carry the nonce prefix).
    pub fn new(mut out: W, header: &Header, key: Option<&[u8; 16]>) -> io::Result<ChunkWriter<W>> {
        let line = header_line(header);
        let mut hash = Sm3::new();
        for part in [MAGIC, &line] {
            out.write_all(part)?;
            hash.update(part);
        }
        let sealer = match key {
            Some(k) => {
                let prefix = header.nonce.as_deref().and_then(|n| hex::decode(n).ok()).unwrap_or_default();
                let prefix: [u8; 8] = prefix
                    .try_into()
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "nonce prefix of 8 bytes"))?;
                Some(Sealer::new(k, prefix, Sm3::digest(&line).into()))
            }
            None => None,
        };
        Ok(ChunkWriter {
            out,
            buf: Vec::with_capacity(CHUNK),
            index: 0,
            hash,
            sealer,
            written: (MAGIC.len() + line.len()) as u64,
        })
    }

    fn emit(&mut self, ty: u8) -> io::Result<()> {
        let payload = match &self.sealer {
            Some(s) => s.seal(self.index, ty, &self.buf),
            None => std::mem::take(&mut self.buf),
        };
        let len = (payload.len() as u32).to_be_bytes();
        for part in [&[ty][..], &len, &payload] {
            self.out.write_all(part)?;
            self.hash.update(part);
        }
        self.written += 5 + payload.len() as u64;
        self.buf.clear();
        self.index = self
            .index
            .checked_add(1)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "more than 2^32 chunks"))?;
        Ok(())
    }

    /// Writes the last chunk and the SM3 of the file.
    pub fn finish(mut self) -> io::Result<Written<W>> {
        self.emit(LAST)?;
        let mut whole = self.hash.clone();
        let trailer = self.hash.finalize();
        self.out.write_all(&trailer)?;
        whole.update(trailer);
        self.out.flush()?;
        Ok(Written { out: self.out, size: self.written + 32, sm3: hex::encode(whole.finalize()) })
    }
}

impl<W: Write> Write for ChunkWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.emit(DATA)?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads the magic and the header of a backup file.
pub fn read_header<R: Read>(inp: &mut R) -> Result<(Header, Vec<u8>), Fault> {
    let mut magic = vec![0u8; MAGIC.len()];
    let mut got = 0;
    while got < magic.len() {
        match inp.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Fault::Io(e)),
        }
    }
    if got < MAGIC.len() && MAGIC.starts_with(&magic[..got]) && got > 0 {
        return Err(Fault::Truncated);
    }
    if magic != MAGIC {
        return Err(Fault::NotBackup("it does not begin with ZWFW-BACKUP".into()));
    }
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match inp.read(&mut byte) {
            Ok(0) => return Err(Fault::Truncated),
            Ok(_) => {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
                if line.len() > HEADER_MAX {
                    return Err(Fault::Damaged("header".into()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Fault::Io(e)),
        }
    }
    let header: Header = serde_json::from_slice(&line).map_err(|_| Fault::Damaged("header".into()))?;
    Ok((header, line))
}

/// Reads the chunks of a backup file (what is read from it is the deflate
/// stream), checking each and, at the end, the file's SM3. An error it
/// returns is told apart by [`ChunkReader::fault`].
pub struct ChunkReader<R: Read> {
    inp: R,
    pub header: Header,
    hash: Sm3,
    opener: Option<Sealer>,
    index: u32,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
    fault: Option<Fault>,
}

impl<R: Read> ChunkReader<R> {
    /// Opens a backup file. With an encrypted file, `key` opens its chunks;
    /// without, the chunks are only checked against the file's SM3 (see
    /// [`ChunkReader::check_only`]). `key` must be the file's (its check value is compared first).
    pub fn open(mut inp: R, key: Option<(&[u8; 16], &str)>) -> Result<ChunkReader<R>, Fault> {
        let (header, line) = read_header(&mut inp)?;
        if header.compression != "deflate" {
            return Err(Fault::NotBackup(format!("unknown compression {}", header.compression)));
        }
        let mut hash = Sm3::new();
        hash.update(MAGIC);
        hash.update(&line);
        let opener = match (header.encryption.as_str(), key) {
            ("none", _) => None,
            ("sm4-gcm", Some((k, check))) => {
                if header.key_check.as_deref() != Some(check) {
                    return Err(Fault::WrongKey);
                }
                let prefix = header.nonce.as_deref().and_then(|n| hex::decode(n).ok()).unwrap_or_default();
                let prefix: [u8; 8] = prefix.try_into().map_err(|_| Fault::Damaged("header".into()))?;
                Some(Sealer::new(k, prefix, Sm3::digest(&line).into()))
            }
            ("sm4-gcm", None) => None,
            (other, _) => return Err(Fault::NotBackup(format!("unknown encryption {other}"))),
        };
        Ok(ChunkReader { inp, header, hash, opener, index: 0, buf: vec![], pos: 0, done: false, fault: None })
    }

    /// Reads the whole file without opening its chunks: whether it is
    /// complete and intact (its SM3), whatever the key.
    pub fn check_only(mut self) -> Result<(), Fault> {
        self.opener = None;
        let encrypted = self.header.encrypted();
        loop {
            match self.next_chunk(encrypted) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(f) => return Err(f),
            }
        }
    }

    /// Why the last read failed, if it was the file's fault.
    pub fn fault(&mut self) -> Option<Fault> {
        self.fault.take()
    }

    fn read_exact_or(&mut self, buf: &mut [u8]) -> Result<(), Fault> {
        let mut got = 0;
        while got < buf.len() {
            match self.inp.read(&mut buf[got..]) {
                Ok(0) => return Err(Fault::Truncated),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Fault::Io(e)),
            }
        }
        Ok(())
    }

    /// Reads the next chunk into `buf`; false after the last (and the
    /// file's SM3, checked). `skip`: the payload is not opened.
    fn next_chunk(&mut self, skip: bool) -> Result<bool, Fault> {
        if self.done {
            return Ok(false);
        }
        let mut head = [0u8; 5];
        self.read_exact_or(&mut head)?;
        let ty = head[0];
        if ty != DATA && ty != LAST {
            return Err(Fault::Damaged(format!("chunk {}", self.index)));
        }
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let sealed = self.header.encrypted();
        if len > CHUNK + if sealed { TAG } else { 0 } {
            return Err(Fault::Damaged(format!("chunk {}", self.index)));
        }
        let mut payload = vec![0u8; len];
        self.read_exact_or(&mut payload)?;
        self.hash.update(head);
        self.hash.update(&payload);
        self.buf = if skip {
            vec![]
        } else if sealed {
            let opener = self.opener.as_ref().ok_or(Fault::KeyMissing)?;
            opener.open(self.index, ty, &payload).ok_or_else(|| Fault::Damaged(format!("chunk {}", self.index)))?
        } else {
            payload
        };
        self.pos = 0;
        self.index += 1;
        if ty == LAST {
            let mut trailer = [0u8; 32];
            self.read_exact_or(&mut trailer)?;
            if self.hash.clone().finalize().as_slice() != trailer {
                return Err(Fault::Damaged("the file's SM3".into()));
            }
            let mut more = [0u8; 1];
            match self.inp.read(&mut more) {
                Ok(0) => {}
                Ok(_) => return Err(Fault::Damaged("bytes after the end".into())),
                Err(e) => return Err(Fault::Io(e)),
            }
            self.done = true;
        }
        Ok(true)
    }
}

impl<R: Read> Read for ChunkReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if let Err(f) = self.next_chunk(false) {
                self.fault = Some(f);
                return Err(io::Error::other("backup file fault"));
            }
        }
    }
}

/// Writes one frame.
pub fn write_frame<W: Write>(w: &mut W, ty: u8, payload: &[u8]) -> io::Result<()> {
    w.write_all(&[ty])?;
    w.write_all(&(payload.len() as u32).to_be_bytes())?;
    w.write_all(payload)
}

/// Reads the next frame; `None` at the end of the stream.
pub fn read_frame<R: Read>(r: &mut R) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut ty = [0u8; 1];
    loop {
        match r.read(&mut ty) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > FRAME_MAX {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "frame too long"));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    Ok(Some((ty[0], payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(encrypted: bool) -> Header {
        Header {
            format: 1,
            program: "zwfw test".into(),
            created_at: 1,
            source: "sqlite".into(),
            schema_version: 30,
            compression: "deflate".into(),
            encryption: if encrypted { "sm4-gcm" } else { "none" }.into(),
            key_check: encrypted.then(|| "00aa".into()),
            nonce: encrypted.then(|| "0102030405060708".into()),
        }
    }

    fn write(data: &[u8], key: Option<&[u8; 16]>) -> Vec<u8> {
        let mut w = ChunkWriter::new(Vec::new(), &header(key.is_some()), key).unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap().out
    }

    fn read(file: &[u8], key: Option<&[u8; 16]>) -> Result<Vec<u8>, Fault> {
        let mut r = ChunkReader::open(file, key.map(|k| (k, "00aa")))?;
        let mut out = vec![];
        match r.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(r.fault().expect("a fault")),
        }
    }

    #[test]
    fn chunks_round_trip_plain_and_sealed() {
        let data: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        for key in [None, Some(&[7u8; 16])] {
            let file = write(&data, key);
            assert_eq!(read(&file, key).unwrap(), data);
            assert!(ChunkReader::open(&file[..], None).unwrap().check_only().is_ok());
        }
        let empty = write(b"", None);
        assert_eq!(read(&empty, None).unwrap(), b"");
    }

    #[test]
    fn truncation_alteration_and_keys_are_told_apart() {
        let data: Vec<u8> = (0..(CHUNK + 100)).map(|i| (i % 13) as u8).collect();
        for key in [None, Some(&[7u8; 16])] {
            let file = write(&data, key);
            for cut in [file.len() - 1, file.len() - 40, CHUNK / 2, 70] {
                assert!(matches!(read(&file[..cut], key), Err(Fault::Truncated)), "cut at {cut}");
            }
            let mut altered = file.clone();
            altered[CHUNK / 2] ^= 1;
            assert!(matches!(read(&altered, key), Err(Fault::Damaged(_))));
            let mut altered = file.clone();
            let last = altered.len() - 1;
            altered[last] ^= 1;
            assert!(matches!(read(&altered, key), Err(Fault::Damaged(_))));
            let mut longer = file.clone();
            longer.push(0);
            assert!(matches!(read(&longer, key), Err(Fault::Damaged(_))));
        }
        let file = write(&data, Some(&[7u8; 16]));
        // The right check value but another key: every chunk refuses to open.
        assert!(matches!(read(&file, Some(&[8u8; 16])), Err(Fault::Damaged(_))));
        let mut r = ChunkReader::open(&file[..], Some((&[7u8; 16], "ffff"))).err();
        assert!(matches!(r.take(), Some(Fault::WrongKey)));
        assert!(matches!(ChunkReader::open(&b"PK\x03\x04 a zip file"[..], None).err(), Some(Fault::NotBackup(_))));
    }
}
