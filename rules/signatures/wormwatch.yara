// wormwatch shipped YARA rule (ClamAV's YARA subset: text strings, simple
// conditions). Matches the traffic generator's harmless test payload, so a
// directory holding only this file still proves the YARA path end to end.
rule Wormwatch_Test_Payload_Yara
{
    meta:
        description = "wormwatch generator test payload (harmless)"
    strings:
        $prefix = "WORMWATCH-TEST-PAYLOAD:7f3a9c1e"
    condition:
        $prefix
}
