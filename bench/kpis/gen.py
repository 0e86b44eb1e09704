#!/usr/bin/env python3
"""A fleet's month for measuring the charger KPIs (docs/api.md "Charger KPIs", cost). Writes tab-separated files
for COPY (PostgreSQL) or loads them into a SQLite file that `fieldgrid init` made.

  gen.py OUTDIR CHARGERS DAYS [SQLITE_FILE]

Per charger: 2 connectors, about 3 sessions per connector a day (Preparing, Charging, Finishing, Available: 4
status reports each, with StartTransaction/StopTransaction), a fault on 5 % of connector-days (Faulted, then
Available 10 min to 8 h later), one status a day on connector 0, and a reconnect (disconnected, connected) a day.
The days end at the last Asia/Shanghai midnight."""
import os, random, sqlite3, sys, time

out, n, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sys.argv[4] if len(sys.argv) > 4 else None
random.seed(42)
os.makedirs(out, exist_ok=True)
H = 3600_000
now = int(time.time() * 1000)
end = ((now + 8 * H) // (24 * H)) * 24 * H - 8 * H  # today 00:00 Shanghai
start = end - days * 24 * H
seq = [0]
def uid():
    seq[0] += 1
    return '00000000-0000-7000-8000-%012x' % seq[0]

tables = {k: [] for k in ('stations', 'chargers', 'connectors', 'charger_status_log', 'charger_events', 'charge_transactions')}
vendors = ['星星充电', '特来电', '许继', '国电南瑞', '万马', '科士达', '盛弘', '英可瑞', '奥特迅', '易事特']
for s in range(max(1, n // 30)):
    tables['stations'].append((f'st-{s:05d}', f'S{s:05d}', f'站点{s:05d}', start - 10 * 24 * H, start - 10 * 24 * H))
tx = 0
for c in range(n):
    cid = f'ch-{c:06d}'
    v = vendors[c % len(vendors)]
    tables['chargers'].append((cid, f'CP{c:06d}', f'st-{c % len(tables["stations"]):05d}', 'dc' if c % 3 else 'ac', 'qr', v,
                               f'{v[:2]}-M{c % 3}', 'in_house', 0, 2, 300, 1, start - 10 * 24 * H, start - 10 * 24 * H,
                               now, 60 if c % 3 else 7))
    for k in (0, 1, 2):
        tables['connectors'].append((cid, k, 'Available', 'NoError', end, end))
    st = tables['charger_status_log']
    for d in range(days):
        day0 = start + d * 24 * H
        st.append((uid(), cid, 0, 'Available', 'NoError', day0 + random.randint(0, H), day0 + H))
        off = day0 + random.randint(0, 23 * H)
        tables['charger_events'].append((uid(), cid, 'disconnected', off))
        tables['charger_events'].append((uid(), cid, 'connected', off + random.randint(1000, 20 * 60_000)))
        for k in (1, 2):
            t = day0 + random.randint(0, 4 * H)
            for _ in range(3):
                t += random.randint(10 * 60_000, 3 * H)
                a, b = t, t + random.randint(20 * 60_000, 2 * H)
                for stt, at in (('Preparing', a - 60_000), ('Charging', a), ('Finishing', b), ('Available', b + 60_000)):
                    st.append((uid(), cid, k, stt, 'NoError', at, at + 500))
                tx += 1
                e = random.randint(0, 60_000)
                tables['charge_transactions'].append((uid(), tx, cid, k, 'TAG1', 'Accepted', a, 0, b, e, 'Local' if e else 'EVDisconnected', e, 0, a, b))
                t = b + 60_000
            if random.random() < 0.05:
                f = day0 + random.randint(0, 20 * H)
                st.append((uid(), cid, k, 'Faulted', 'GroundFailure', f, f + 500))
                r = f + random.randint(10 * 60_000, 8 * H)
                st.append((uid(), cid, k, 'Available', 'NoError', r, r + 500))

cols = {
    'stations': 'id, code, name, created_at, updated_at',
    'chargers': 'id, charge_point_id, station_id, kind, payment, vendor, model, warranty, security_profile, connector_count, '
                'heartbeat_interval, online, created_at, updated_at, last_seen_at, rated_power_kw',
    'connectors': 'charger_id, connector_id, status, error_code, status_at, updated_at',
    'charger_status_log': 'id, charger_id, connector_id, status, error_code, at, received_at',
    'charger_events': 'id, charger_id, kind, at',
    'charge_transactions': 'id, transaction_id, charger_id, connector_id, id_tag, id_tag_status, start_at, meter_start, '
                           'stop_at, meter_stop, stop_reason, energy_wh, orphan, created_at, updated_at',
}
for t, rows in tables.items():
    print(f'{t}: {len(rows)} rows', file=sys.stderr)
if db:
    con = sqlite3.connect(db)
    for t, rows in tables.items():
        con.executemany(f'INSERT INTO {t} ({cols[t]}) VALUES ({",".join("?" * len(rows[0]))})', rows)
    con.commit()
    con.execute('ANALYZE')
    con.close()
else:
    with open(os.path.join(out, 'load.sql'), 'w') as sql:
        for t, rows in tables.items():
            path = os.path.join(out, t + '.tsv')
            with open(path, 'w') as f:
                for r in rows:
                    f.write('\t'.join('\\N' if x is None else str(x) for x in r) + '\n')
            sql.write(f"\\copy {t} ({cols[t]}) FROM '{path}'\n")
        sql.write('VACUUM ANALYZE;\n')
