# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_putio_up_global_optspecs
    string join \n v/verbose q/quiet api-url= upload-url= web-url= config= color= h/help V/version
end

function __fish_putio_up_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_putio_up_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_putio_up_using_subcommand
    set -l cmd (__fish_putio_up_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c putio-up -n "__fish_putio_up_needs_command" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_needs_command" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_needs_command" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_needs_command" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_needs_command" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_needs_command" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_needs_command" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_needs_command" -s V -l version -d 'Print version'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "upload" -d 'Upload folders, and everything in them, and files to put.io'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "watch" -d 'Keep a folder on put.io: upload it, then upload what is added or changed, until stopped'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "login" -d 'Log in to put.io and store the token (browser, --device or --with-token)'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "logout" -d 'Remove the stored token (keychain and file)'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "whoami" -d 'Show the account the token belongs to, its disk use, and where the token came from'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "doctor" -d 'Find out how put.io answers where putio-up\'s assumptions are unverified, in a temporary folder it removes; prints a report to paste into a bug report'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "completions" -d 'Print shell completions for putio-up to stdout'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "man" -d 'Print putio-up\'s man page (roff) to stdout'
complete -c putio-up -n "__fish_putio_up_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l to -d 'Destination folder path on put.io from the account root (`Backups` is `/Backups`), created if missing; a name put.io would not get as typed (`a:b`) is refused with the name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l parent-id -d 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l on-conflict -d 'When a different file of the same name is already on put.io: fail, skip, overwrite (upload the new one, verify it, then delete the old one) or rename (upload as `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]' -r -f -a "fail\t'Leave the file on put.io alone and count the local one as failed (exit 1)'
skip\t'Leave the file on put.io alone and count the local one as skipped (exit 0)'
overwrite\t'Upload the new file, verify it, and only then delete the old one'
rename\t'Upload the new file next to the old one, as `name (1).ext` (the next free number)'"
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -s j -l jobs -d 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l checkers -d 'How many folders to list or create on put.io at once, whatever -j is, 1 to 64 [default: 16] [env: PUTIO_UP_CHECKERS]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l chunk-size -d 'Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l retries -d 'Retries of a failed request before its file is given up, 0 to 100 (transient errors only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8] [env: PUTIO_UP_RETRIES]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l verify-wait -d 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l exclude -d 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l include -d 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l exclude-from -d 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l torrents -d 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]' -r -f -a "file\t'Store them as files'
transfer\t'Start a put.io transfer from each (a .magnet file holds a magnet link)'"
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l files-from -d 'Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments; relative to the one folder given, or absolute inside it' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l files-from0 -d 'Like --files-from, with paths separated by NUL (for `find -print0`)' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l bwlimit -d 'Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a timetable by local time such as "08:00,1M 19:00,off"' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l max-transfer -d 'Start no new file once files of this many bytes have been started (e.g. 50G); then exit 5, and the same command continues' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l max-duration -d 'Start no new file after the run has gone on this long (e.g. 2h); then exit 5' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l cutoff -d 'At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably [default: soft]' -r -f -a "soft\t'Files in flight finish'
hard\t'Files in flight stop at once, to be resumed by the next run'"
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l progress-interval -d 'When stderr is no terminal, a progress line this often while files are in flight (and a `progress` event with --json); 0 turns it off [default: 30s]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l log-file -d 'Also append the plain log, with timestamps, to FILE, whatever stderr shows' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l overwrite -d 'Short for --on-conflict overwrite: the new file is uploaded and verified first, then the old one is deleted (it goes to put.io\'s trash if enabled) [env: PUTIO_UP_OVERWRITE]'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l checksum -d 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l no-hidden -d 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l hidden -d 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -s L -l follow-links -d 'Follow symbolic links (loops are detected and reported); by default links are skipped'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l json -d 'Print newline-delimited JSON events on stdout (human output stays on stderr)'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -s n -l dry-run -d 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -l delete-source -d 'Move mode: remove each local file once put.io holds it verified (same CRC32), and the folders that emptied (never the folder given); compares CRC32s before skipping'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand upload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l to -d 'Destination folder path on put.io from the account root (`Backups` is `/Backups`), created if missing; a name put.io would not get as typed (`a:b`) is refused with the name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l parent-id -d 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l on-conflict -d 'When a different file of the same name is already on put.io: fail, skip, overwrite (upload the new one, verify it, then delete the old one) or rename (upload as `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]' -r -f -a "fail\t'Leave the file on put.io alone and count the local one as failed (exit 1)'
skip\t'Leave the file on put.io alone and count the local one as skipped (exit 0)'
overwrite\t'Upload the new file, verify it, and only then delete the old one'
rename\t'Upload the new file next to the old one, as `name (1).ext` (the next free number)'"
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -s j -l jobs -d 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l checkers -d 'How many folders to list or create on put.io at once, whatever -j is, 1 to 64 [default: 16] [env: PUTIO_UP_CHECKERS]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l chunk-size -d 'Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l retries -d 'Retries of a failed request before its file is given up, 0 to 100 (transient errors only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8] [env: PUTIO_UP_RETRIES]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l verify-wait -d 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l exclude -d 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l include -d 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l exclude-from -d 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l torrents -d 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]' -r -f -a "file\t'Store them as files'
transfer\t'Start a put.io transfer from each (a .magnet file holds a magnet link)'"
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l files-from -d 'Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments; relative to the one folder given, or absolute inside it' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l files-from0 -d 'Like --files-from, with paths separated by NUL (for `find -print0`)' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l bwlimit -d 'Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a timetable by local time such as "08:00,1M 19:00,off"' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l max-transfer -d 'Start no new file once files of this many bytes have been started (e.g. 50G); then exit 5, and the same command continues' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l max-duration -d 'Start no new file after the run has gone on this long (e.g. 2h); then exit 5' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l cutoff -d 'At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably [default: soft]' -r -f -a "soft\t'Files in flight finish'
hard\t'Files in flight stop at once, to be resumed by the next run'"
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l progress-interval -d 'When stderr is no terminal, a progress line this often while files are in flight (and a `progress` event with --json); 0 turns it off [default: 30s]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l log-file -d 'Also append the plain log, with timestamps, to FILE, whatever stderr shows' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l settle -d 'Send a file once its size and modification time have not changed for this long' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l rescan -d 'Walk the whole folder this often, to catch what file events missed' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l overwrite -d 'Short for --on-conflict overwrite: the new file is uploaded and verified first, then the old one is deleted (it goes to put.io\'s trash if enabled) [env: PUTIO_UP_OVERWRITE]'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l checksum -d 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l no-hidden -d 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l hidden -d 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -s L -l follow-links -d 'Follow symbolic links (loops are detected and reported); by default links are skipped'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l json -d 'Print newline-delimited JSON events on stdout (human output stays on stderr)'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -s n -l dry-run -d 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -l delete-source -d 'Move mode: remove each local file once put.io holds it verified (same CRC32), and the folders that emptied (never the folder given); compares CRC32s before skipping'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l port -d 'Port of the local callback, http://127.0.0.1:PORT/callback, which must be the callback URL registered for your put.io app. Another port, or 0 (any free one), works only if put.io accepts any loopback port for the app, which is not known' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l timeout -d 'Give up waiting for the browser or the code\'s approval after this long (90s, 5m, 1h)' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l device -d 'Log in by approving a code at app.put.io/link from another device'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l with-token -d 'Read the token from stdin (never from an argument)'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l no-browser -d 'Print the login address instead of opening a browser'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -l insecure-storage -d 'Store the token in a plaintext file readable only by you (mode 0600) instead of the OS keychain'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -l json -d 'Print the answer as one JSON object on stdout (username, disk, token source)'
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l parent-id -d 'Folder id to create the temporary folder in; 0 is the account root' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l crc-wait -d 'Seconds to wait for put.io to show the CRC32 of a new file, when it is not there at once' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -l json -d 'Also print the report as one JSON document on stdout'
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -l api-url -d 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -l upload-url -d 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -l web-url -d 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]' -r
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -l config -d 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]' -r -F
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -l color -d 'Colour in human output on stderr [default: auto, or `color` in the config file]' -r -f -a "auto\t'Colour when stderr is a terminal and NO_COLOR is not set'
always\t'Colour, even into a pipe or file'
never\t'No colour'"
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -s v -l verbose -d 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -s q -l quiet -d 'Print only errors and the final summary, no progress bars'
complete -c putio-up -n "__fish_putio_up_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "upload" -d 'Upload folders, and everything in them, and files to put.io'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "watch" -d 'Keep a folder on put.io: upload it, then upload what is added or changed, until stopped'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "login" -d 'Log in to put.io and store the token (browser, --device or --with-token)'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "logout" -d 'Remove the stored token (keychain and file)'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "whoami" -d 'Show the account the token belongs to, its disk use, and where the token came from'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "doctor" -d 'Find out how put.io answers where putio-up\'s assumptions are unverified, in a temporary folder it removes; prints a report to paste into a bug report'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "completions" -d 'Print shell completions for putio-up to stdout'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "man" -d 'Print putio-up\'s man page (roff) to stdout'
complete -c putio-up -n "__fish_putio_up_using_subcommand help; and not __fish_seen_subcommand_from upload watch login logout whoami doctor completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
