<#
.SYNOPSIS
    What the Mxfp4 module is for, in one script: inspect an MXFP4 checkpoint and check it is whole, check the decoder
    against the spec, dequantize and multiply a gpt-oss-20b-sized expert tensor at full speed, and convert a whole
    checkpoint, proving the conversion exact.
.DESCRIPTION
    Run it with `dotnet pwsh ./build.ps1 -Task Demo` (builds and stages the module first), or in any pwsh 7.4+ after
    a build: `pwsh -File samples/demo.ps1`. It imports the staged module (output/Mxfp4) itself, or the installed one
    when there is no build beside it. Everything it writes goes to one temporary folder, removed at the end.
#>
param(
    [string] $Checkpoint = (Join-Path $PSScriptRoot 'gpt-oss-tiny')
)

$ErrorActionPreference = 'Stop'
$staged = Join-Path $PSScriptRoot '..' 'output' 'Mxfp4'
Import-Module ((Test-Path $staged) ? $staged : 'Mxfp4')
$work = Join-Path ([System.IO.Path]::GetTempPath()) "mxfp4-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item $work -ItemType Directory | Out-Null

try {
    "== 1. The sample checkpoint: $(Split-Path $Checkpoint -Leaf)"
    $tensors = Get-SafetensorsHeader $Checkpoint
    $tensors | Group-Object DType | ForEach-Object { '   {0,3} tensors of {1}' -f $_.Count, $_.Name }
    $pairs = Get-Mxfp4Tensor $Checkpoint
    $pairs | Select-Object -First 2 | Format-Table Name, @{ n = 'Shape'; e = { $_.Shape -join ' x ' } }, NamingStyle | Out-String -Stream |
        Where-Object { $_ }
    "   ... $($pairs.Count) MXFP4 tensors, paired from blocks and scales across shards"
    $check = Test-SafetensorsCheckpoint $Checkpoint -Hash -Deep | Where-Object { $_.PSObject.TypeNames[0] -like '*.CheckpointVerification' }
    if (-not $check.Passed) { throw "The sample checkpoint failed its check." }
    "   whole: headers, index, pairs and config agree, every shard hashed (SHA-256), no NaN or Inf in the data"

    "`n== 2. One expert, element by element, against a decoder written here from the spec"
    # OCP MX E2M1: byte k of a 16-byte block holds element 2k (low nibble) and 2k+1 (high); scale byte s is 2^(s-127).
    function Expand-Mxfp4([byte[]] $Blocks, [byte[]] $Scales) {
        $e2m1 = 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0
        $values = [float[]]::new($Blocks.Length * 2)
        for ($i = 0; $i -lt $values.Length; $i++) {
            $byte = $Blocks[$i -shr 1]
            $nibble = ($i % 2 -eq 0) ? ($byte -band 0xF) : ($byte -shr 4)
            $scale = $Scales[[math]::Floor($i / 32)]
            $values[$i] = ($scale -eq 255) ? [float]::NaN : $e2m1[$nibble] * [math]::Pow(2, $scale - 127)
        }
        , $values
    }
    $down = $pairs | Where-Object Name -like '*layers.0*down_proj'
    $expert = 1
    $blockBytes = $down.Blocks.ByteLength / $down.Shape[0]
    $scaleBytes = $down.Scales.ByteLength / $down.Shape[0]
    $blocks = (Get-Content $down.Blocks.Path -AsByteStream -Raw)[
        ($down.Blocks.DataOffset + $expert * $blockBytes)..($down.Blocks.DataOffset + ($expert + 1) * $blockBytes - 1)]
    $scales = (Get-Content $down.Scales.Path -AsByteStream -Raw)[
        ($down.Scales.DataOffset + $expert * $scaleBytes)..($down.Scales.DataOffset + ($expert + 1) * $scaleBytes - 1)]
    $expected = Expand-Mxfp4 $blocks $scales
    $actual = ($down | ConvertFrom-Mxfp4 -Expert $expert -Format F32).Data
    $different = @(0..($expected.Length - 1) |
        Where-Object { [BitConverter]::SingleToUInt32Bits($expected[$_]) -ne [BitConverter]::SingleToUInt32Bits($actual[$_]) })
    if ($different.Count -gt 0) {
        throw "$($different.Count) elements of expert $expert differ from the spec, the first at $($different[0])." }
    "   $($down.Name) expert ${expert}: all $($expected.Length) elements bit-identical to the spec"

    "`n== 3. A gpt-oss-20b-sized tensor: gate_up of 32 experts, [32, 5760, 2880] as MXFP4"
    $big = Join-Path $work 'gpt-oss-20b-gate-up.safetensors'
    $shape = 32, 5760, 90
    $blockLength = 32L * 5760 * 90 * 16
    $scaleLength = 32L * 5760 * 90
    $header = [ordered]@{
        'model.layers.0.mlp.experts.gate_up_proj_blocks' = @{ dtype = 'U8'; shape = $shape + 16; data_offsets = 0, $blockLength }
        'model.layers.0.mlp.experts.gate_up_proj_scales' = @{
            dtype = 'U8'; shape = $shape; data_offsets = $blockLength, ($blockLength + $scaleLength) }
    } | ConvertTo-Json -Compress
    $header = $header.PadRight([math]::Ceiling($header.Length / 8) * 8)
    $random = [System.Random]::new(20)
    $stream = [System.IO.File]::Create($big)
    try {
        $stream.Write([BitConverter]::GetBytes([uint64]$header.Length))
        $stream.Write([System.Text.Encoding]::UTF8.GetBytes($header))
        $chunk = [byte[]]::new(1MB)
        for ($written = 0L; $written -lt $blockLength; $written += $chunk.Length) {
            $random.NextBytes($chunk)
            $stream.Write($chunk, 0, [math]::Min($chunk.Length, $blockLength - $written))
        }
        # Scales near 2^0, as trained weights have them: 2^-8 .. 2^1.
        $scaleChunk = [byte[]](1..64KB | ForEach-Object { 119 + $random.Next(10) })
        for ($written = 0L; $written -lt $scaleLength; $written += $scaleChunk.Length) {
            $stream.Write($scaleChunk, 0, [math]::Min($scaleChunk.Length, $scaleLength - $written))
        }
    }
    finally {
        $stream.Dispose()
    }
    $gateUp = Get-Mxfp4Tensor $big
    '   {0}: {1:N1} MB of MXFP4, {2:N0} weights' -f (Split-Path $big -Leaf), ((Get-Item $big).Length / 1e6), $gateUp.ElementCount

    $bf16 = $null
    $seconds = (Measure-Command { $bf16 = $gateUp | ConvertFrom-Mxfp4 -Format BF16 -MemoryLimit 2GB }).TotalSeconds
    '   dequantized to BF16 in memory: {0:N2} s, {1:N1} GB/s of output' -f $seconds, ($gateUp.ElementCount * 2 / $seconds / 1e9)
    $bf16 = $null

    $out = Join-Path $work 'gate-up.bf16'
    $seconds = (Measure-Command { $gateUp | ConvertFrom-Mxfp4 -Format BF16 -OutFile $out }).TotalSeconds
    '   dequantized to a BF16 file: {0:N2} s, {1:N1} GB/s (on a terminal, a progress bar showed meanwhile)' -f $seconds,
        ((Get-Item $out).Length / $seconds / 1e9)
    Remove-Item $out

    $x = [float[]](1..2880 | ForEach-Object { [math]::Sin($_) })
    $exact = $int8 = $null
    $exactSeconds = (Measure-Command { $exact = $gateUp | Invoke-Mxfp4MatVec -Vector $x -Precision Exact }).TotalSeconds
    $int8Seconds = (Measure-Command { $int8 = $gateUp | Invoke-Mxfp4MatVec -Vector $x -Precision Int8 }).TotalSeconds
    $largest = $worst = 0.0
    for ($e = 0; $e -lt $exact.Count; $e++) {
        $a = $exact[$e].Values
        $b = $int8[$e].Values
        for ($r = 0; $r -lt $a.Length; $r++) {
            $largest = [math]::Max($largest, [math]::Abs($a[$r]))
            $worst = [math]::Max($worst, [math]::Abs($a[$r] - $b[$r]))
        }
    }
    '   W·x over all 32 experts, Exact: {0:N0} ms; Int8 (x quantized per block): {1:N0} ms' -f ($exactSeconds * 1000),
        ($int8Seconds * 1000)
    '   largest |Exact - Int8| = {0:G3}, against outputs up to {1:N1}' -f $worst, $largest

    "`n== 4. The whole sample checkpoint to BF16, index and config rewritten"
    $converted = Join-Path $work 'gpt-oss-tiny-bf16'
    $files = ConvertFrom-Mxfp4 -Path $Checkpoint -Destination $converted -Format BF16 -PassThru
    $files | ForEach-Object { '   {0,-36} {1,10:N0} bytes' -f $_.Name, $_.Length }
    $dense = Get-SafetensorsHeader $converted -Name '*.experts.*'
    "   $($dense.Count) expert tensors now $(($dense.DType | Sort-Object -Unique) -join ', '), none left as MXFP4 pairs"
    $comparison = Compare-SafetensorsCheckpoint $Checkpoint $converted
    $unequal = @($comparison | Where-Object { -not $_.Equal })
    if ($unequal.Count) { throw "The conversion changed $($unequal.Count) tensors: $($unequal.Name -join ', ')." }
    "   compared with the original on the decoded values: all $($comparison.Count) tensors equal"

    "`n== Done: everything written under $work is removed."
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
