//! Files that appear complete or not at all.

use std::fs::File;
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

impl AtomicFile {
    /// Start writing `target` under its hidden partial name.
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        let temp = partial_path(target);
        let file = File::create(&temp)?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            keep_partial: false,
        })
    }

    /// Like [`AtomicFile::create`], but the partial file survives an
    /// interruption so that [`AtomicFile::resume`] can continue it.
    pub fn create_resumable(target: &Path) -> std::io::Result<AtomicFile> {
        let mut file = AtomicFile::create(target)?;
        file.keep_partial = true;
        Ok(file)
    }

    /// Reopen the partial file of `target`, cut to its first `keep` bytes,
    /// to append to it.
    pub fn resume(target: &Path, keep: u64) -> std::io::Result<AtomicFile> {
        let temp = partial_path(target);
        let mut file = std::fs::OpenOptions::new().write(true).open(&temp)?;
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
