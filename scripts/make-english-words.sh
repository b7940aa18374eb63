#!/bin/sh
# Rebuilds src/data/english-words.json, the real-word list the lexicon must avoid.
# Made once from Debian's wamerican (apt-get install wamerican); 3-6 letter words, lowercased.
set -eu
grep -E '^[a-zA-Z]{3,6}$' /usr/share/dict/american-english | tr 'A-Z' 'a-z' | sort -u |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(s.trim().split("\n"))+"\n"))' \
  > "$(dirname "$0")/../src/data/english-words.json"
