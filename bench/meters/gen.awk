# Deterministic meter ledger CSV: N rows (awk -v N=1000000), 500 transformer areas, 50 batches, install dates
# spread over 2012–2025 (so about half are older than 8 years on 2026-12-01), 2% of batches failed sampling.
BEGIN {
  print "asset_no,kind,subtype,model,manufacturer,batch,accuracy_class,rated,constant,produced_on,verified_on,sampling,status,point_no,transformer_area,installed_on"
  for (i = 1; i <= N; i++) {
    b = i % 50; a = int((i - 1) / 2000) % 500; y = 2012 + (i * 7) % 14; m = 1 + (i * 13) % 12; d = 1 + (i * 17) % 28
    printf "33%014d,meter,single_phase,DDZY%03d,厂家%02d,B%04d,2.0,220V 5(60)A,1200,%04d-%02d-%02d,%04d-%02d-%02d,%s,installed,P%010d,TA%04d,%04d-%02d-%02d\n",
      i, b % 7, b % 9, 2000 + b, y - 1, m, d, y - 1, m, d, (b == 7 ? "failed" : ""), i, a, y, m, d
  }
}
