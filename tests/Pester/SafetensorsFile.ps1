# Rewrites a safetensors file without one tensor: the other tensors' bytes are copied as they are and the header is
# written here from the format's rules (u64 little-endian length, JSON, spaces to a multiple of 8), independently of
# the module's own writer.
function Remove-SafetensorsTensor([string] $Path, [string] $Name) {
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    $headerLength = [BitConverter]::ToUInt64($bytes, 0)
    $header = [System.Text.Encoding]::UTF8.GetString($bytes, 8, $headerLength) | ConvertFrom-Json -AsHashtable
    $dataStart = 8 + $headerLength
    $kept = $header.GetEnumerator() | Where-Object { $_.Key -notin '__metadata__', $Name } | Sort-Object { $_.Value.data_offsets[0] }

    $written = [ordered]@{}
    if ($header.Contains('__metadata__')) { $written['__metadata__'] = $header['__metadata__'] }
    $data = [System.IO.MemoryStream]::new()
    foreach ($entry in $kept) {
        $begin, $end = $entry.Value.data_offsets
        $start = $data.Length
        $data.Write($bytes, $dataStart + $begin, $end - $begin)
        $written[$entry.Key] = [ordered]@{
            dtype = $entry.Value.dtype
            shape = @($entry.Value.shape)
            data_offsets = @($start, $data.Length)
        }
    }

    $json = $written | ConvertTo-Json -Compress -Depth 5
    $json = $json.PadRight([int]([Math]::Ceiling($json.Length / 8) * 8))
    $jsonBytes = [System.Text.Encoding]::UTF8.GetBytes($json)
    $file = [System.IO.File]::Create($Path)
    try {
        $file.Write([BitConverter]::GetBytes([uint64]$jsonBytes.Length))
        $file.Write($jsonBytes)
        $data.WriteTo($file)
    }
    finally {
        $file.Dispose()
    }
}
