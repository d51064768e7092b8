//! Files that appear complete or not at all, written only through files
//! agora creates itself.
//!
//! A partial file is created with exclusive create and no-follow
//! (`O_CREAT | O_EXCL | O_NOFOLLOW`): whatever stands under its name (a
//! symbolic or hard link planted to an outside file) makes the creation
//! fail instead of writing through it. A one-shot file has a random hidden
//! name (`.NAME.RANDOM.partial`); a resumable one the fixed name
//! `.NAME.partial` that a resume finds again, reopened with no-follow and
//! only if it is a plain file with a single link.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A file written under a temporary name in the same folder and renamed
/// into place by [`AtomicFile::commit`]; dropped uncommitted, it is removed.
/// A reader never sees a half-written file under the final name.
pub struct AtomicFile {
    temp: PathBuf,
    target: PathBuf,
    writer: Option<BufWriter<File>>,
    /// A resumable file keeps its partial content when dropped uncommitted.
    keep_partial: bool,
}

/// The hidden name a file has while it is being written.
pub fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.partial"))
}

/// The hidden random name a one-shot file has while it is being written:
/// `.NAME.RANDOM.partial`, RANDOM 16 hex digits.
pub fn random_partial_path(target: &Path) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // RandomState's keys come from the operating system's random source.
    let mut h = std::hash::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    target.with_file_name(format!(".{name}.{:016x}.partial", h.finish()))
}

/// Whether `name` is a one-shot partial file ([`random_partial_path`]):
/// left by an interrupted writer, never resumed.
pub fn is_random_partial(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".partial"))
        .and_then(|n| n.rsplit_once('.'))
        .is_some_and(|(_, random)| random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Create `path` for writing, failing if anything stands under its name
/// (exclusive create; a symbolic link is not followed).
pub fn create_new(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o644);
    }
    options.open(path)
}

/// Open an existing file of a results folder, refusing a symbolic link (not
/// followed), anything but a plain file, and a file with other hard links
/// (writing it would change a file outside the folder).
pub fn open_existing(path: &Path, write: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(!write).write(write);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| refuse_link(path, e))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(planted(path, "is not a plain file"));
    }
    #[cfg(unix)]
    if write {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() != 1 {
            return Err(planted(path, "has other hard links"));
        }
    }
    Ok(file)
}

/// An error saying `path` stands where agora writes or reads only its own files.
pub fn planted(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} {what}: agora reads and writes a results folder only through plain files it created itself; \
             remove it, or choose another folder",
            path.display()
        ),
    )
}

/// A symbolic link met with no-follow (ELOOP) as a clear error.
fn refuse_link(path: &Path, e: std::io::Error) -> std::io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return planted(path, "is a symbolic link");
    }
    let _ = path;
    e
}

impl AtomicFile {
    /// Start writing `target` under a new hidden random name.
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        let temp = random_partial_path(target);
        let file = create_new(&temp).map_err(|e| refuse_link(&temp, e))?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            keep_partial: false,
        })
    }

    /// Like [`AtomicFile::create`], but under the fixed hidden name
    /// [`partial_path`], which survives an interruption so that
    /// [`AtomicFile::resume`] can continue it. An old partial file is
    /// removed first (a link is removed, never followed).
    pub fn create_resumable(target: &Path) -> std::io::Result<AtomicFile> {
        let temp = partial_path(target);
        match std::fs::remove_file(&temp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let file = create_new(&temp).map_err(|e| refuse_link(&temp, e))?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            keep_partial: true,
        })
    }

    /// Reopen the partial file of `target`, cut to its first `keep` bytes,
    /// to append to it.
    pub fn resume(target: &Path, keep: u64) -> std::io::Result<AtomicFile> {
        let temp = partial_path(target);
        let mut file = open_existing(&temp, true)?;
        file.set_len(keep)?;
        file.seek(SeekFrom::Start(keep))?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            keep_partial: true,
        })
    }

    /// The final name.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flush, sync and rename into place, then sync the folder so that a
    /// power cut cannot undo a rename reported done.
    pub fn commit(mut self) -> std::io::Result<()> {
        let writer = self.writer.take().expect("not yet committed");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.temp, &self.target)?;
        super::folder::sync_dir(self.target.parent().unwrap_or(Path::new(".")))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.as_mut().expect("not yet committed").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.as_mut().expect("not yet committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(mut writer) = self.writer.take() {
            if self.keep_partial {
                let _ = writer.flush();
            } else {
                let _ = std::fs::remove_file(&self.temp);
            }
        }
    }
}

/// Write a whole small file atomically.
pub fn write_atomic(target: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = AtomicFile::create(target)?;
    file.write_all(contents)?;
    file.commit()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_one_shot_file_has_a_random_hidden_name_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.csv");
        let (one, two) = (random_partial_path(&target), random_partial_path(&target));
        assert_ne!(one, two);
        let name = one.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".a.csv.") && is_random_partial(&name), "{name}");
        assert!(!is_random_partial(".a.csv.partial"), "a resumable partial is kept");
        write_atomic(&target, b"x").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.csv"]);
    }

    #[test]
    fn links_are_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "precious").unwrap();
        let target = dir.path().join("t.csv");
        // A symbolic link as the resumable partial: creating removes the link.
        std::os::unix::fs::symlink(&outside, partial_path(&target)).unwrap();
        let mut file = AtomicFile::create_resumable(&target).unwrap();
        file.write_all(b"new").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        // A symbolic or hard link as the partial a resume reopens: refused.
        std::fs::remove_file(partial_path(&target)).unwrap();
        std::os::unix::fs::symlink(&outside, partial_path(&target)).unwrap();
        let e = AtomicFile::resume(&target, 0).err().unwrap();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        std::fs::remove_file(partial_path(&target)).unwrap();
        std::fs::hard_link(&outside, partial_path(&target)).unwrap();
        let e = AtomicFile::resume(&target, 0).err().unwrap();
        assert!(e.to_string().contains("hard links"), "{e}");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        // Exclusive create: nothing under the name is opened.
        assert!(create_new(&partial_path(&target)).is_err());
    }
}
