# Files and directories: ls, cat, cp, mv, rm, mkdir, rmdir, ln, chmod, chown, touch, stat.
rm -rf /tmp/files; mkdir /tmp/files && cd /tmp/files || exit 1
# A directory's size is its file system's own (tmpfs on Linux counts 20 bytes an entry): only files' sizes are shown.
show() { for f; do if [ -d "$f" ]; then stat -c '%n %F %a %u:%g' "$f"; else stat -c '%n %F %a %u:%g %s' "$f"; fi; done; }
echo "-- mkdir, rmdir"
mkdir one; mkdir -p two/three/four; mkdir -m 700 private
mkdir one 2>/dev/null || echo "mkdir existing: failed as expected"
show one two/three/four private
rmdir two/three/four; rmdir -p two/three; [ -e two ] || echo "rmdir -p removed two"
rmdir /tmp/files 2>/dev/null || echo "rmdir non-empty: failed as expected"
echo "-- touch, cat"
touch -d '2021-03-04 05:06:07' dated; stat -c '%n %Y %y' dated
touch empty; show empty
printf 'line 1\nline 2\n\n\nline 5\n' > text
cat text; cat -n text; cat -b text; cat -A text | head -n 1
cat text - text < /dev/null | wc -l
echo "-- cp"
cp text copy; cmp text copy && echo "cp: same bytes"
chmod 640 text; cp -p text copy-p; show copy-p
touch -d '2020-01-01 00:00:00' text; cp -p text copy-p2; stat -c '%n %Y' copy-p2
mkdir dir; echo a > dir/a; mkdir dir/sub; echo b > dir/sub/b; ln -s a dir/link
cp -r dir dir-copy; ls -R dir-copy
cp -a dir dir-archive; stat -c '%n %F' dir-archive/link; readlink dir-archive/link
cp text dir/ && ls dir
cp nothing here 2>/dev/null || echo "cp missing: status $?"
echo "-- mv"
mv copy moved; ls moved copy 2>&1
mv moved dir/; ls dir
mv dir renamed-dir; ls -d renamed-dir dir 2>&1
echo x > a1; echo y > a2; mv -f a1 a2; cat a2; ls a1 2>&1
echo "-- ln"
ln text hard; stat -c '%n %h' text hard
ln -s text soft; stat -c '%n %F' soft; readlink soft; cat soft | head -n 1
ln -sf copy-p soft; readlink soft
ln -s /no/where dangling; [ -L dangling ] && [ ! -e dangling ] && echo "dangling link"
echo "-- chmod"
touch mode; chmod 600 mode; show mode; chmod u+x,g+r mode; show mode; chmod a-w,o+r mode; show mode
chmod -R go-rwx renamed-dir; stat -c '%n %a' renamed-dir renamed-dir/sub renamed-dir/a
chmod 4755 mode; stat -c '%A' mode; chmod 1777 one; stat -c '%A' one
echo "-- chown"
touch owned; chown 123:456 owned; show owned
chown 7 owned; show owned; chown :8 owned; show owned
chown root:root owned; show owned
chown -R 5:6 renamed-dir; stat -c '%n %u:%g' renamed-dir renamed-dir/sub/b
chown -h 9:9 soft; stat -c '%n %u:%g' soft copy-p
echo "-- ls"
rm -rf lsdir; mkdir lsdir; cd lsdir
touch -d '2019-05-06 07:08:09' b c.txt; mkdir -m 755 d; touch -d '2019-05-06 07:08:09' d; echo hello > a; touch -d '2019-05-06 07:08:09' a; touch .dot
chmod 644 a b c.txt
ls; ls -a; ls -A; ls -1 -r; ls -F
# 'total' counts blocks and a directory's size is its file system's: both shown as N.
ls -l | awk '$1 == "total" { $2 = "N" } $1 ~ /^d/ { $5 = "N" } 1'
ls -la d | awk '$1 == "total" { $2 = "N" } $1 ~ /^d/ { $5 = "N" } 1' | head -n 2
ls -s a | sed 's/^ *[0-9]*/N/'
ls -d d; ls -i a | sed 's/^ *[0-9]*/N/'
ls -t a d; ls -S a b; ls *.txt; ls -R .. | head -n 3
ls missing 2>&1; echo "ls missing: $?"
cd ..
echo "-- stat"
stat -c '%n %F %s %a %A %h %u %g %U %G' text
stat -c '%N' soft
stat -c '%Y %X %Z' dated | awk '{ print ($1 == 1614834367) ? "mtime ok" : "mtime " $1 }'
stat -L -c '%F' soft; stat -f -c '%T' .
stat missing 2>&1; echo "stat missing: $?"
echo "-- rm"
rm text; [ -e text ] || echo "text removed"; cat hard | wc -l
rm missing 2>/dev/null; echo "rm missing: $?"; rm -f missing; echo "rm -f missing: $?"
rm private 2>&1 | sed 's/.*private.*/rm: private: is a directory/'
rm -r renamed-dir dir-copy dir-archive; ls
cd /; rm -rf /tmp/files; echo "rm -rf: $?"
