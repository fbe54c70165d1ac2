"""Development aid: random calendars, engine vs ics-oracle.

Usage: python3 tests/tools/random_differential.py SEED COUNT
Needs /tmp/ics-oracle-venv (see tests/calendar/golden) and
`cargo build --release -j 1 --example expand`. Generates COUNT random
calendars (zones incl. Windows, VTIMEZONE and unknown TZIDs, X-WR-TIMEZONE,
all-day / floating / UTC, RRULE with COUNT / UNTIL / BYxxx, RDATE incl.
PERIOD, EXDATE lists, overrides incl. THISANDFUTURE, duplicate UIDs), expands
each with both over a random window and zone, and saves differing inputs to
/tmp/badN.ics. THISANDFUTURE is not combined with X-WR-TIMEZONE (a known,
documented upstream bug the engine does not copy).
"""
import json, random, subprocess, sys, datetime as dt
seed=int(sys.argv[1]); N=int(sys.argv[2])
random.seed(seed)
ZONES=["", ";TZID=Europe/Berlin", ";TZID=America/New_York", ";TZID=W. Europe Standard Time", ";TZID=Australia/Sydney", "Z", "DATE", ";TZID=Custom Zone", ";TZID=Unknown Zone"]
FREQS=["DAILY","WEEKLY","MONTHLY","YEARLY"]
DAYS=["MO","TU","WE","TH","FR","SA","SU"]
CUSTOM="""BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:-0200\r\nTZOFFSETTO:-0300\r\nTZNAME:CST\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYDAY=3SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:-0300\r\nTZOFFSETTO:-0200\r\nTZNAME:CDT\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"""
def fmt(t, zone):
    if zone=="DATE": return ";VALUE=DATE:"+t.strftime("%Y%m%d")
    if zone=="Z": return ":"+t.strftime("%Y%m%dT%H%M%S")+"Z"
    return zone+":"+t.strftime("%Y%m%dT%H%M%S")
def rule():
    f=random.choice(FREQS); parts=["FREQ="+f]
    if random.random()<0.3: parts.append("INTERVAL=%d"%random.randint(1,3))
    r=random.random()
    if r<0.35: parts.append("COUNT=%d"%random.randint(1,15))
    elif r<0.7:
        u=dt.datetime(2024,1,1)+dt.timedelta(days=random.randint(0,500), hours=random.randint(0,23))
        k=random.random()
        parts.append("UNTIL="+(u.strftime("%Y%m%d") if k<0.3 else u.strftime("%Y%m%dT%H%M%S")+("Z" if k<0.8 else "")))
    if f in ("WEEKLY","MONTHLY","YEARLY") and random.random()<0.5:
        ds=random.sample(DAYS, random.randint(1,3))
        if f!="WEEKLY" and random.random()<0.5: ds=[random.choice(["1","2","-1","3"])+d for d in ds]
        parts.append("BYDAY="+",".join(ds))
    if f=="MONTHLY" and random.random()<0.3 and not any(p.startswith("BYDAY") for p in parts): parts.append("BYMONTHDAY=%d"%random.choice([1,15,-1,31,30]))
    if f=="YEARLY" and random.random()<0.4: parts.append("BYMONTH=%d"%random.randint(1,12))
    if f=="YEARLY" and random.random()<0.15: parts.append(random.choice(["BYWEEKNO=%d"%random.choice([1,20,-1,53]),"BYYEARDAY=%d"%random.choice([1,100,-1,366])]))
    if f=="DAILY" and random.random()<0.2: parts.append("BYHOUR=%s"%random.choice(["9","9,17","0,12"]))
    if random.random()<0.05: parts=["FREQ=HOURLY","INTERVAL=%d"%random.randint(1,30),"COUNT=%d"%random.randint(1,20)]
    if random.random()<0.15 and any(p.startswith("BYDAY") for p in parts) and f!="WEEKLY": parts.append("BYSETPOS=%d"%random.choice([1,-1,2]))
    if random.random()<0.1: parts.append("WKST=SU")
    random.shuffle(parts)
    return ";".join(parts)
def cal():
    global xwr
    out=["BEGIN:VCALENDAR","VERSION:2.0"]
    xwr=random.random()<0.3
    if xwr: out.append("X-WR-TIMEZONE:"+random.choice(["Europe/Berlin","America/New_York","Asia/Tokyo"]))
    body=[]
    for i in range(random.randint(1,5)):
        zone=random.choice(ZONES)
        start=dt.datetime(2024,1,1)+dt.timedelta(days=random.randint(0,300), hours=random.randint(0,23), minutes=random.choice([0,30]))
        if random.random()<0.15: start=start.replace(month=3, day=random.choice([10,31]), hour=2, minute=30)
        if random.random()<0.1: start=start.replace(month=10, day=27, hour=2, minute=30)
        ev=["BEGIN:VEVENT","UID:u%d"%i,"DTSTART"+fmt(start,zone)]
        k=random.random()
        if zone=="DATE":
            if k<0.5: ev.append("DTEND;VALUE=DATE:"+(start+dt.timedelta(days=random.randint(0,3))).strftime("%Y%m%d"))
        elif k<0.5: ev.append("DTEND"+fmt(start+dt.timedelta(minutes=random.choice([15,30,60,90,600,1500])),zone))
        elif k<0.8: ev.append("DURATION:"+random.choice(["PT30M","PT1H","P1D","PT2H30M","P1W"]))
        recurring=random.random()<0.8
        if recurring: ev.append("RRULE:"+rule())
        if recurring and random.random()<0.2: ev.append("RRULE:"+rule())
        if random.random()<0.2:
            r=start+dt.timedelta(days=random.randint(1,40))
            ev.append("RDATE"+fmt(r,random.choice([zone,"Z",zone])))
        if random.random()<0.1 and zone not in ("DATE",):
            r=start+dt.timedelta(days=random.randint(1,40))
            ev.append("RDATE;VALUE=PERIOD:"+r.strftime("%Y%m%dT%H%M%S")+"Z/"+random.choice(["PT2H","PT15M",(r+dt.timedelta(hours=3)).strftime("%Y%m%dT%H%M%S")+"Z"]))
        exs=[]
        for _ in range(random.randint(0,3)):
            exs.append(start+dt.timedelta(days=random.randint(0,30)))
        if random.random()<0.1:
            body.append(["BEGIN:VEVENT","UID:u%d"%i,"DTSTART:"+(start+dt.timedelta(hours=5)).strftime("%Y%m%dT%H%M%S")+"Z","SEQUENCE:%d"%random.randint(0,3),"SUMMARY:dup%d"%i,"END:VEVENT"])
        if random.random()<0.1 and len(exs)>1:
            ev.append("EXDATE"+(zone if zone not in ("Z","DATE") else "")+":"+",".join(x.strftime("%Y%m%dT%H%M%S")+("Z" if zone=="Z" else "") for x in exs))
        if recurring and exs:
            z=random.choice([zone,zone,"Z","DATE"])
            ev.append("EXDATE"+fmt(exs[0],z))
        if random.random()<0.2: ev.append("STATUS:CANCELLED")
        if random.random()<0.3: ev.append("SEQUENCE:%d"%random.randint(0,3))
        ev.append("SUMMARY:s%d"%i)
        ev.append("END:VEVENT")
        body.append(ev)
        if recurring:
            for j in range(random.randint(0,3)):
                rid=start+dt.timedelta(days=random.choice([1,2,7,14,30,31,365]))
                if random.random()<0.6: rid=start+dt.timedelta(days=random.randint(0,60))
                rz=random.choice([zone,zone,"Z"]) if zone!="DATE" else "DATE"
                mv=rid+dt.timedelta(hours=random.choice([0,1,-2,24,48]))
                mz=random.choice([zone,"Z"]) if zone!="DATE" else random.choice(["DATE",";TZID=Europe/Berlin"])
                o=["BEGIN:VEVENT","UID:u%d"%i,"RECURRENCE-ID"+("" if (random.random()<0.8 or xwr) else ";RANGE=THISANDFUTURE")+fmt(rid,rz).replace(":",":",1),"DTSTART"+fmt(mv,mz)]
                if random.random()<0.5 and mz!="DATE": o.append("DURATION:PT45M")
                if random.random()<0.3: o.append("STATUS:CANCELLED")
                if random.random()<0.3: o.append("SEQUENCE:%d"%random.randint(0,4))
                o+=["SUMMARY:o%d.%d"%(i,j),"END:VEVENT"]
                body.append(o)
    random.shuffle(body)
    out.append(CUSTOM.strip())
    for b in body: out+=b
    out.append("END:VCALENDAR")
    return "\r\n".join(out)+"\r\n"
bad=0; skipped=0
for n in range(N):
    text=cal()
    open("/tmp/r.ics","w").write(text)
    tz=random.choice(["UTC","Europe/Berlin","America/Los_Angeles"])
    a=(dt.date(2024,1,1)+dt.timedelta(days=random.randint(0,400))).isoformat()
    b=(dt.date.fromisoformat(a)+dt.timedelta(days=random.choice([1,7,60,400]))).isoformat()
    if random.random()<0.3:
        a=(dt.datetime(2024,3,1)+dt.timedelta(hours=random.randint(0,24*300))).strftime("%Y-%m-%dT%H:%M:%SZ")
        b=(dt.datetime.fromisoformat(a[:-1])+dt.timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
    o=subprocess.run(["/tmp/ics-oracle-venv/bin/python","/work/shared/tools/ics-oracle/expand.py","/tmp/r.ics",a,b,"--tz",tz],capture_output=True)
    if o.returncode!=0: skipped+=1; continue
    e=subprocess.run(["/work/engine/target/release/examples/expand","/tmp/r.ics",a,b,"--tz",tz],capture_output=True)
    O=json.loads(o.stdout); E=json.loads(e.stdout)
    if O!=E:
        bad+=1
        open("/tmp/bad%d.ics"%bad,"w").write(text)
        ko={json.dumps(x,sort_keys=True) for x in O}; ke={json.dumps(x,sort_keys=True) for x in E}
        print("case",n,"tz",tz,a,b,"->/tmp/bad%d.ics"%bad, "oracle",len(O),"engine",len(E))
        for x in sorted(ko-ke)[:3]: print("  O",x)
        for x in sorted(ke-ko)[:3]: print("  E",x)
        if bad>=6: break
print("bad",bad,"skipped",skipped,"of",N)
