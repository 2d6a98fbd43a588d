# A script that builds a tree of files and checks it with find, wc, sort, xargs, du.
rm -rf /tmp/tree; mkdir -p /tmp/tree && cd /tmp/tree || exit 1
for d in a b c; do
  for e in 1 2 3; do
    mkdir -p "$d/sub$e"
    i=1
    while [ $i -le $e ]; do
      seq 1 $((i * 10)) > "$d/sub$e/file$i.txt"
      i=$((i + 1))
    done
  done
done
echo "hidden" > a/.hidden
ln -s ../b a/link-to-b
echo "-- counts"
find . -type f | wc -l
find . -type d | wc -l
find . -type l
find . -name 'file3*' | sort
find . -type f -name '*.txt' -size +50c | sort
find . -path './b/*' -type f | sort | head -n 3
find . -maxdepth 1 | sort
find . -mindepth 2 -type d | sort | tr '\n' ' '; echo
find -L a -name file1.txt | sort
find . -type f -newer a/sub1/file1.txt -name nothing
echo "-- contents"
find . -type f -name '*.txt' | sort | xargs cat | wc -l
find . -type f -name '*.txt' | sort | xargs wc -l | tail -n 1
find . -type f -name '*.txt' -print0 | xargs -0 cat | sort -n | uniq -c | sort -k1,1nr -k2,2n | head -n 5
find . -name 'file2.txt' -exec wc -l {} \; | sort
find . -name 'file3.txt' -exec echo {} + | tr ' ' '\n' | sort
cat $(find c -name '*.txt' | sort) | sort -n | tail -n 1
echo "-- sizes"
find . -type f -name '*.txt' | sort | xargs ls -l | awk '{ total += $5 } END { print "bytes:", total }'
du -a b | awk '{ print $2 }' | sort
echo "-- removal"
rm -r a/sub3
find a | sort
rm -rf /tmp/tree; [ -e /tmp/tree ] || echo "tree removed"
