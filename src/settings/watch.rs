//! `watch`'s settings: the upload options (resolved exactly as `upload` resolves them, so
//! every upload option means the same here), the settle time and the rescan period.

use anyhow::Result;

use crate::cli::WatchArgs;
use crate::exit::Fatal;
use crate::upload::UploadSettings;
use crate::watch::WatchSettings;

pub fn watch(args: &WatchArgs, upload: UploadSettings) -> Result<WatchSettings> {
    if upload.dry_run {
        return Err(Fatal::usage(
            "watch uploads as things change; --dry-run belongs to `upload` (try `putio-up upload --dry-run DIR`)",
        ));
    }
    // One folder, watched as a whole: a file list or several paths belong to `upload`.
    let one_folder = upload.sources.len() == 1
        && upload.sources[0].kind == crate::upload::sources::SourceKind::Folder
        && upload.sources[0].scan.selection.is_none();
    if !one_folder {
        return Err(Fatal::usage(
            "watch takes one folder (and no --files-from); to send several paths or a list once, use `putio-up upload`",
        ));
    }
    Ok(WatchSettings {
        upload,
        settle: args.settle,
        rescan: args.rescan,
    })
}
