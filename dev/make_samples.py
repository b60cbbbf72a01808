#!/usr/bin/env python3
"""Rebuilds the small samples the repository carries, from ../shared/data (run from the repository root).

- data/sample/stellarium: up to 24 photographs per class of the Stellarium deep-sky set, with labels.csv
  rows and credits (the offline demo, the benchmarks and the tests use it).
- ingest/src/test/resources/nasa-sample: recorded NASA-API pages: "galaxy" page 1 (every edge case) and
  page 8 (the galaxy clusters that also answer "galaxy"), renumbered 1 and 2 with their next links; the
  "galaxy cluster" query; and the preview images behind them.
"""
import csv, json, os, shutil

SHARED = os.path.join('..', 'shared', 'data')
PER_CLASS = 24

def stellarium():
    src = os.path.join(SHARED, 'stellarium-dso')
    dst = os.path.join('data', 'sample', 'stellarium')
    shutil.rmtree(dst, ignore_errors=True)
    rows = list(csv.DictReader(open(os.path.join(src, 'labels.csv'))))
    kept, per = [], {}
    for r in sorted(rows, key=lambda r: r['file']):
        c = r['class']
        if per.get(c, 0) < PER_CLASS:
            per[c] = per.get(c, 0) + 1
            kept.append(r)
            os.makedirs(os.path.join(dst, c), exist_ok=True)
            shutil.copy(os.path.join(src, r['file']), os.path.join(dst, r['file']))
    meta = os.path.join('data', 'sample')
    with open(os.path.join(meta, 'stellarium-labels.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=rows[0].keys())
        w.writeheader()
        w.writerows(kept)
    shutil.copy(os.path.join(src, 'CREDITS-stellarium-images.txt'), meta)
    print('stellarium sample:', per)

def nasa():
    src = os.path.join(SHARED, 'nasa-images-api')
    dst = os.path.join('ingest', 'src', 'test', 'resources', 'nasa-sample')
    shutil.rmtree(dst, ignore_errors=True)
    plan = {'galaxy': [1, 8], 'galaxy-cluster': [1]}
    ids = set()
    for slug, pages in plan.items():
        os.makedirs(os.path.join(dst, 'search', slug))
        for new, old in enumerate(pages, start=1):
            d = json.load(open(os.path.join(src, 'search', slug, f'page-{old}.json')))
            c = d['collection']
            c['href'] = c['href'].replace(f'page={old}', f'page={new}')
            c['links'] = [{'rel': 'next', 'prompt': 'Next',
                           'href': c['href'].replace(f'page={new}', f'page={new + 1}')}]
            for it in c['items']:
                ids.add(it['data'][0]['nasa_id'])
            json.dump(d, open(os.path.join(dst, 'search', slug, f'page-{new}.json'), 'w'), indent=1)
        # the page after the last answers an empty list, as the live API does
        last = len(pages) + 1
        empty = {'collection': {'version': '1.0', 'items': [], 'metadata': {'total_hits': 0},
                 'href': f'https://images-api.nasa.gov/search?q={slug}&media_type=image&page={last}&page_size=25'}}
        json.dump(empty, open(os.path.join(dst, 'search', slug, f'page-{last}.json'), 'w'), indent=1)
    for i in sorted(ids):
        a = os.path.join(src, 'assets', i)
        if os.path.isdir(a):
            shutil.copytree(a, os.path.join(dst, 'assets', i))
    shutil.copy(os.path.join(src, 'README.md'), os.path.join(dst, 'README-source.md'))
    print('nasa sample:', len(ids), 'items')

if __name__ == '__main__':
    stellarium()
    nasa()
