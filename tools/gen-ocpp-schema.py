#!/usr/bin/env python3
"""Builds data/ocpp/ocpp16.json, the OCPP 1.6J message schemas fieldgrid validates against (src/core/ocpp/ocpp_schema.c).

Source: the OCA OCPP 1.6 JSON schemas as bundled by ocpp-rpc (node_modules/ocpp-rpc/lib/schemas/ocpp1_6.json,
MIT). We keep the Core profile and the commands we send, inline $ref, drop $id/$schema, and write one object
{"Action.req": schema, "Action.conf": schema}. Run after `npm ci`:  python3 tools/gen-ocpp-schema.py
"""
import json, os
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, 'node_modules/ocpp-rpc/lib/schemas/ocpp1_6.json')
ACTIONS = ['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification',
           'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction', 'StatusNotification',
           'StopTransaction', 'RemoteStartTransaction', 'RemoteStopTransaction', 'Reset', 'UnlockConnector',
           'ChangeAvailability', 'GetConfiguration', 'ChangeConfiguration', 'ClearCache', 'TriggerMessage',
           'ReserveNow', 'CancelReservation', 'UpdateFirmware', 'GetDiagnostics']

def inline(s, defs):
    if isinstance(s, dict):
        if '$ref' in s:
            name = s['$ref'].split('/')[-1]
            return inline(defs[name], defs)
        return {k: inline(v, defs) for k, v in s.items() if k not in ('$id', '$schema', 'definitions')}
    if isinstance(s, list):
        return [inline(v, defs) for v in s]
    return s

out = {}
for s in json.load(open(SRC)):
    name = s['$id'].split(':', 1)[1]
    if name.rsplit('.', 1)[0] in ACTIONS:
        out[name] = inline(s, s.get('definitions', {}))
with open(os.path.join(ROOT, 'data/ocpp/ocpp16.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'), sort_keys=True)
    f.write('\n')
print(len(out), 'schemas')
