
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'putio-up' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'putio-up'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'putio-up' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Upload folders, and everything in them, and files to put.io')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Keep a folder on put.io: upload it, then upload what is added or changed, until stopped')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to put.io and store the token (browser, --device or --with-token)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token (keychain and file)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show the account the token belongs to, its disk use, and where the token came from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find out how put.io answers where putio-up''s assumptions are unverified, in a temporary folder it removes; prints a report to paste into a bug report')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for putio-up to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print putio-up''s man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'putio-up;upload' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Destination folder path on put.io from the account root (`Backups` is `/Backups`), created if missing; a name put.io would not get as typed (`a:b`) is refused with the name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]')
            [CompletionResult]::new('--parent-id', '--parent-id', [CompletionResultType]::ParameterName, 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]')
            [CompletionResult]::new('--on-conflict', '--on-conflict', [CompletionResultType]::ParameterName, 'When a different file of the same name is already on put.io: fail, skip, overwrite (upload the new one, verify it, then delete the old one) or rename (upload as `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]')
            [CompletionResult]::new('--checkers', '--checkers', [CompletionResultType]::ParameterName, 'How many folders to list or create on put.io at once, whatever -j is, 1 to 64 [default: 16] [env: PUTIO_UP_CHECKERS]')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request before its file is given up, 0 to 100 (transient errors only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8] [env: PUTIO_UP_RETRIES]')
            [CompletionResult]::new('--verify-wait', '--verify-wait', [CompletionResultType]::ParameterName, 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)')
            [CompletionResult]::new('--exclude-from', '--exclude-from', [CompletionResultType]::ParameterName, 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)')
            [CompletionResult]::new('--torrents', '--torrents', [CompletionResultType]::ParameterName, 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]')
            [CompletionResult]::new('--files-from', '--files-from', [CompletionResultType]::ParameterName, 'Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments; relative to the one folder given, or absolute inside it')
            [CompletionResult]::new('--files-from0', '--files-from0', [CompletionResultType]::ParameterName, 'Like --files-from, with paths separated by NUL (for `find -print0`)')
            [CompletionResult]::new('--bwlimit', '--bwlimit', [CompletionResultType]::ParameterName, 'Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a timetable by local time such as "08:00,1M 19:00,off"')
            [CompletionResult]::new('--max-transfer', '--max-transfer', [CompletionResultType]::ParameterName, 'Start no new file once files of this many bytes have been started (e.g. 50G); then exit 5, and the same command continues')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'Start no new file after the run has gone on this long (e.g. 2h); then exit 5')
            [CompletionResult]::new('--cutoff', '--cutoff', [CompletionResultType]::ParameterName, 'At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably [default: soft]')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'When stderr is no terminal, a progress line this often while files are in flight (and a `progress` event with --json); 0 turns it off [default: 30s]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also append the plain log, with timestamps, to FILE, whatever stderr shows')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('--overwrite', '--overwrite', [CompletionResultType]::ParameterName, 'Short for --on-conflict overwrite: the new file is uploaded and verified first, then the old one is deleted (it goes to put.io''s trash if enabled) [env: PUTIO_UP_OVERWRITE]')
            [CompletionResult]::new('--checksum', '--checksum', [CompletionResultType]::ParameterName, 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)')
            [CompletionResult]::new('--no-hidden', '--no-hidden', [CompletionResultType]::ParameterName, 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links (loops are detected and reported); by default links are skipped')
            [CompletionResult]::new('--follow-links', '--follow-links', [CompletionResultType]::ParameterName, 'Follow symbolic links (loops are detected and reported); by default links are skipped')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print newline-delimited JSON events on stdout (human output stays on stderr)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing')
            [CompletionResult]::new('--delete-source', '--delete-source', [CompletionResultType]::ParameterName, 'Move mode: remove each local file once put.io holds it verified (same CRC32), and the folders that emptied (never the folder given); compares CRC32s before skipping')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;watch' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Destination folder path on put.io from the account root (`Backups` is `/Backups`), created if missing; a name put.io would not get as typed (`a:b`) is refused with the name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]')
            [CompletionResult]::new('--parent-id', '--parent-id', [CompletionResultType]::ParameterName, 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]')
            [CompletionResult]::new('--on-conflict', '--on-conflict', [CompletionResultType]::ParameterName, 'When a different file of the same name is already on put.io: fail, skip, overwrite (upload the new one, verify it, then delete the old one) or rename (upload as `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]')
            [CompletionResult]::new('--checkers', '--checkers', [CompletionResultType]::ParameterName, 'How many folders to list or create on put.io at once, whatever -j is, 1 to 64 [default: 16] [env: PUTIO_UP_CHECKERS]')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a failed request before its file is given up, 0 to 100 (transient errors only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8] [env: PUTIO_UP_RETRIES]')
            [CompletionResult]::new('--verify-wait', '--verify-wait', [CompletionResultType]::ParameterName, 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)')
            [CompletionResult]::new('--exclude-from', '--exclude-from', [CompletionResultType]::ParameterName, 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)')
            [CompletionResult]::new('--torrents', '--torrents', [CompletionResultType]::ParameterName, 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]')
            [CompletionResult]::new('--files-from', '--files-from', [CompletionResultType]::ParameterName, 'Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments; relative to the one folder given, or absolute inside it')
            [CompletionResult]::new('--files-from0', '--files-from0', [CompletionResultType]::ParameterName, 'Like --files-from, with paths separated by NUL (for `find -print0`)')
            [CompletionResult]::new('--bwlimit', '--bwlimit', [CompletionResultType]::ParameterName, 'Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a timetable by local time such as "08:00,1M 19:00,off"')
            [CompletionResult]::new('--max-transfer', '--max-transfer', [CompletionResultType]::ParameterName, 'Start no new file once files of this many bytes have been started (e.g. 50G); then exit 5, and the same command continues')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'Start no new file after the run has gone on this long (e.g. 2h); then exit 5')
            [CompletionResult]::new('--cutoff', '--cutoff', [CompletionResultType]::ParameterName, 'At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably [default: soft]')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'When stderr is no terminal, a progress line this often while files are in flight (and a `progress` event with --json); 0 turns it off [default: 30s]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Also append the plain log, with timestamps, to FILE, whatever stderr shows')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Send a file once its size and modification time have not changed for this long')
            [CompletionResult]::new('--rescan', '--rescan', [CompletionResultType]::ParameterName, 'Walk the whole folder this often, to catch what file events missed')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('--overwrite', '--overwrite', [CompletionResultType]::ParameterName, 'Short for --on-conflict overwrite: the new file is uploaded and verified first, then the old one is deleted (it goes to put.io''s trash if enabled) [env: PUTIO_UP_OVERWRITE]')
            [CompletionResult]::new('--checksum', '--checksum', [CompletionResultType]::ParameterName, 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)')
            [CompletionResult]::new('--no-hidden', '--no-hidden', [CompletionResultType]::ParameterName, 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links (loops are detected and reported); by default links are skipped')
            [CompletionResult]::new('--follow-links', '--follow-links', [CompletionResultType]::ParameterName, 'Follow symbolic links (loops are detected and reported); by default links are skipped')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print newline-delimited JSON events on stdout (human output stays on stderr)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing')
            [CompletionResult]::new('--delete-source', '--delete-source', [CompletionResultType]::ParameterName, 'Move mode: remove each local file once put.io holds it verified (same CRC32), and the folders that emptied (never the folder given); compares CRC32s before skipping')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;login' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the local callback, http://127.0.0.1:PORT/callback, which must be the callback URL registered for your put.io app. Another port, or 0 (any free one), works only if put.io accepts any loopback port for the app, which is not known')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the browser or the code''s approval after this long (90s, 5m, 1h)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Log in by approving a code at app.put.io/link from another device')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Read the token from stdin (never from an argument)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the login address instead of opening a browser')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'Store the token in a plaintext file readable only by you (mode 0600) instead of the OS keychain')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;logout' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;whoami' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the answer as one JSON object on stdout (username, disk, token source)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;doctor' {
            [CompletionResult]::new('--parent-id', '--parent-id', [CompletionResultType]::ParameterName, 'Folder id to create the temporary folder in; 0 is the account root')
            [CompletionResult]::new('--crc-wait', '--crc-wait', [CompletionResultType]::ParameterName, 'Seconds to wait for put.io to show the CRC32 of a new file, when it is not there at once')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Also print the report as one JSON document on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;completions' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;man' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]')
            [CompletionResult]::new('--web-url', '--web-url', [CompletionResultType]::ParameterName, 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in human output on stderr [default: auto, or `color` in the config file]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final summary, no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'putio-up;help' {
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Upload folders, and everything in them, and files to put.io')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Keep a folder on put.io: upload it, then upload what is added or changed, until stopped')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to put.io and store the token (browser, --device or --with-token)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token (keychain and file)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show the account the token belongs to, its disk use, and where the token came from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find out how put.io answers where putio-up''s assumptions are unverified, in a temporary folder it removes; prints a report to paste into a bug report')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for putio-up to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print putio-up''s man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'putio-up;help;upload' {
            break
        }
        'putio-up;help;watch' {
            break
        }
        'putio-up;help;login' {
            break
        }
        'putio-up;help;logout' {
            break
        }
        'putio-up;help;whoami' {
            break
        }
        'putio-up;help;doctor' {
            break
        }
        'putio-up;help;completions' {
            break
        }
        'putio-up;help;man' {
            break
        }
        'putio-up;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
