# shellcheck shell=bash
# Programs for sh and awk are given in single quotes on purpose.
# shellcheck disable=SC2016
# busybox-cases.sh: our own cases for busybox's applets, sourced by busybox.sh.
#
#   area NAME              the area of the cases that follow
#   t NAME APPLET ARGS...  runs APPLET ARGS in a fresh copy of the fixture (stdin: lines.txt)
#   s NAME SCRIPT          runs `sh -c SCRIPT` there, with only busybox's applets on PATH
#
# Both are run natively and under kdune; stdout, stderr, exit status and the files left in
# the directory (names, types, sizes, modes, contents) must match. Outputs must not depend on
# the time, on process ids or on inode numbers. Fixture files (made by busybox.sh): lines.txt
# (200 lines), nums.txt, words.txt, a.txt and b.txt (sorted, overlapping), passwd.txt,
# crlf.txt, data.bin (64 KiB), dir/ (a small tree with a symlink), tree.tar.gz, ab.patch.
# Every fixture file's mtime is 2024-01-02 03:04:05 UTC.

area text
t echo echo hello "two  spaces" world
t printf printf '%s|%5d|%-4x|%c\n' str 42 255 zulu
t cat_n cat -n words.txt
t head head -n 5 lines.txt
t tail_c tail -c 50 lines.txt
t wc wc lines.txt words.txt
t sort_stdin sort -r
t sort_n sort -n nums.txt
t sort_key sort -t: -k3,3n passwd.txt
t uniq_c uniq -c words.txt
t cut cut -d: -f1,3 passwd.txt
t tr tr a-z A-Z
t tr_delete tr -d '0-9'
t sed sed -e 's/line/LINE/' -e '/7/d' lines.txt
t sed_range sed -n '10,15p;$=' lines.txt
t awk awk -F: '{ s += $3; n++ } END { printf "%d users, uid sum %d, avg %.3f\n", n, s, s / n }' passwd.txt
t grep grep -n 'line 1[0-9]' lines.txt
t grep_count grep -c -v e lines.txt
t grep_recursive grep -r needle dir
t grep_missing grep -q zzz lines.txt
t egrep grep -E '^(line 2|line 19)' lines.txt
t od od -A x -t x1z -N 64 data.bin
t hexdump hexdump -C -n 96 data.bin
t xxd xxd -l 64 data.bin
t strings strings -n 6 data.bin
t md5sum md5sum lines.txt data.bin
t sha1sum sha1sum data.bin
t sha256sum sha256sum data.bin
t sha512sum sha512sum data.bin
t sha3sum sha3sum data.bin
t crc32 crc32 data.bin
t cksum_missing md5sum no-such-file
t base64 base64 data.bin
t expand expand -t 4 crlf.txt
t fold fold -w 17 lines.txt
t nl nl -b a words.txt
t paste paste -d, a.txt b.txt
t rev rev words.txt
t tac tac words.txt
t diff diff -u a.txt b.txt
t cmp cmp a.txt b.txt
t seq seq -s, 3 7 100
t expr expr 7 \* 6 + 1
t factor factor 600851475143 1234567
t test_false test -d lines.txt
t basename basename /usr/lib/x.so .so
t dirname dirname /usr/lib/x.so
t dos2unix dos2unix crlf.txt
t unix2dos unix2dos words.txt
t shuf_one shuf -i 5-5
s bc 'echo "scale=30; 4 * a(1); 2 ^ 100" | bc -l'
t dc dc -e '2 64 ^ p'
t cal cal 2 2024
t date date -u -d @1700000000 '+%Y-%m-%d %H:%M:%S %A %j'
t env_i env -i A=1 B=2 env
t ascii ascii

area files
t ls ls -l --color=never
t ls_recursive ls -laR dir
t ls_full_time ls -le dir
t stat stat -c '%n %s %a %F %Y' lines.txt dir dir/link
t find find . -name '*.txt' -size -2k
t find_type find dir -type l -o -type d
t du du -s -k dir
t mkdir mkdir -p new/deep/er
t rmdir rmdir dir
t cp cp -a dir copy
t mv mv lines.txt moved.txt
t rm rm -r dir
t ln ln -s lines.txt l1
t link link lines.txt hard
t readlink readlink dir/link
t realpath realpath dir/link
t touch touch -d '2020-05-06 07:08:09' new.txt lines.txt
t chmod chmod 600 lines.txt
t truncate truncate -s 1000 lines.txt
t dd dd if=data.bin of=part.bin bs=4096 skip=3 count=2
t split sh -c 'split -b 10000 data.bin part. && ls part.*'
t tee tee copy.txt
t mktemp_dir sh -c 'd=$(mktemp -d -p .) && rmdir "$d" && echo ok'
t mkfifo mkfifo pipe
t shred shred -u -n 1 data.bin
t fallocate fallocate -l 100000 big.bin
t unlink unlink words.txt
t sync sync

area archives
t tar_list tar -tzvf tree.tar.gz
t tar_extract tar -xzf tree.tar.gz -C .
t tar_create sh -c 'tar -cf - dir | tar -tvf -'
t gzip gzip -9 lines.txt
t gzip_roundtrip sh -c 'gzip -c data.bin | gunzip -c | md5sum'
t bzip2_roundtrip sh -c 'bzip2 -c lines.txt | bzcat | md5sum'
t xz_missing unxz nope.xz
t cpio sh -c 'find dir | sort | cpio -o -H newc | cpio -t'
t patch patch a.txt ab.patch
t uuencode sh -c 'uuencode data.bin data.bin | uudecode -o out.bin && cmp data.bin out.bin && echo same'
t base64_roundtrip sh -c 'base64 data.bin | base64 -d | md5sum'

area shell
s sh_arith 'i=0 a=0 b=1; while [ $i -lt 60 ]; do t=$((a + b)); a=$b; b=$t; i=$((i + 1)); done; echo $a'
s sh_pipeline 'seq 1 5000 | grep 7 | sort -r | head -n 3; echo status ${?}'
s sh_subshell 'x=1; (x=2; echo in $x); echo out $x; echo $(echo nested $(echo deep))'
s sh_heredoc 'cat <<END
a $((6 * 7)) b
END'
s sh_redirect 'echo out >o.txt; echo err 1>&2; ls missing 2>e.txt; cat o.txt e.txt; exec 3<lines.txt; read -r l <&3; echo "$l"'
s sh_read_loop 'n=0; while read -r w rest; do n=$((n + ${#w})); done <lines.txt; echo $n'
s sh_functions 'f() { [ $1 -le 1 ] && echo 1 && return; echo $(($1 * $(f $(($1 - 1))))); }; f 10'
s sh_exit_status 'sh -c "exit 7"; echo $?; false || echo or; true && echo and'
s sh_case_glob 'for f in *.txt; do case $f in l*) echo L $f ;; *) echo other $f ;; esac; done'
s sh_xargs 'seq 1 20 | xargs -n 6 echo'
s sh_find_exec 'find dir -type f -exec wc -c {} + | sort'
s sh_background 'sleep 0.2 & p=$!; echo started; wait $p; echo waited $?'
s sh_many_forks 'i=0; while [ $i -lt 40 ]; do ls -d . >/dev/null; i=$((i + 1)); done; echo done $i'
s sh_nested_sh 'sh -c "sh -c \"echo three levels; exit 3\""; echo $?'
s sh_getopt 'getopt -o ab:c -- -a -b x -c rest'
s sh_timeout 'timeout 1 sleep 5; echo status $?'

area signals
s sig_trap 'trap "echo caught USR1" USR1; kill -USR1 $$; echo after'
s sig_kill_child 'sleep 10 & kill $!; wait $!; echo status $?'
s sig_term_trap 'trap "echo term; exit 3" TERM; kill -TERM $$; echo not reached'
s sig_self_kill 'kill -9 $$'
s sig_segv_child 'sh -c "kill -SEGV \$\$"; echo status $?'
s sig_ignored 'trap "" INT; kill -INT $$; echo survived'
s sig_pipe 'yes | head -n 2; echo status $?'

area system
t id id
t whoami whoami
t groups groups
t hostname hostname
t uname uname -s -n -r -m
t nproc nproc
t pwd pwd
t tty_none tty
t proc_exe readlink /proc/self/exe
t proc_cmdline sh -c 'tr "\0" " " </proc/$$/cmdline; echo'
t setsid setsid -w sh -c 'echo in new session'
t taskset taskset -c 0 echo pinned
t ipcalc ipcalc -n -b -m 192.0.2.77/26
t which which sh ls
t run_parts run-parts --test dir
