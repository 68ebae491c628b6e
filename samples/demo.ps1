<#
.SYNOPSIS
    The main job on the bundled sample: inspect a gpt-oss-shaped MXFP4 checkpoint, check it is whole, convert it to
    BF16, prove the conversion exact, verify a matvec.
.DESCRIPTION
    Runs in pwsh 7.4+ with the module imported, and in the mxfp4-shell host (which imports it for you):
        dotnet run --project src/Mxfp4.Shell -- -File samples/demo.ps1
    Uses only the module's cmdlets, Core cmdlets and .NET, so it runs where pwsh's utility cmdlets are missing.
#>
param(
    [string] $Checkpoint = [System.IO.Path]::Combine($PSScriptRoot, 'gpt-oss-tiny'),
    [string] $Destination = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'mxfp4-demo-' + [System.Guid]::NewGuid().ToString('N').Substring(0, 8))
)

$ErrorActionPreference = 'Stop'

"`n== 1. The checkpoint's tensors ($Checkpoint)"
Get-SafetensorsHeader $Checkpoint | Out-Default

"`n== 2. Its MXFP4 tensors: blocks and scales paired across shards"
Get-Mxfp4Tensor $Checkpoint | Out-Default

"`n== 3. Check the checkpoint is whole: headers, index, pairs, config, SHA-256 of every shard, NaN/Inf in the data"
$summary = Test-SafetensorsCheckpoint $Checkpoint -Hash -Deep | Where-Object { $_ -is [Mxfp4.Core.Verification.CheckpointVerification] }
$summary | Out-Default
if (-not $summary.Passed) { throw "The sample checkpoint failed its check." }

"`n== 4. Convert the whole checkpoint to BF16"
$files = ConvertFrom-Mxfp4 -Path $Checkpoint -Destination $Destination -Format BF16 -PassThru -Verbose
foreach ($file in $files) { '  {0,-36} {1,10:N0} bytes' -f $file.Name, $file.Length }
Get-SafetensorsHeader $Destination -Name '*.experts.*' | Out-Default

"`n== 5. Compare the conversion with the original, tensor by tensor on the decoded values"
$comparison = Compare-SafetensorsCheckpoint $Checkpoint $Destination
$comparison | Where-Object ReferenceDType -eq 'MXFP4' | Out-Default
$unequal = @($comparison | Where-Object { -not $_.Equal })
"Tensors compared: $($comparison.Count); not equal: $($unequal.Count)"
if ($unequal.Count) { throw "The conversion changed $($unequal.Count) tensor(s): $($unequal.Name -join ', ')." }

"`n== 6. Verify the fused matvec against the dequantized weights"
$down = Get-Mxfp4Tensor $Checkpoint -Name 'model.layers.0.mlp.experts.down_proj'
$x = [float[]]::new($down.Columns)
for ($i = 0; $i -lt $x.Length; $i++) { $x[$i] = [float]([math]::Sin($i) / 4) }
$y = $down | Invoke-Mxfp4MatVec -Expert 1 -Vector $x
$w = ($down | ConvertFrom-Mxfp4 -Expert 1 -Format F32).Data
$worst = 0.0
for ($r = 0; $r -lt $y.Length; $r++) {
    $reference = 0.0
    for ($k = 0; $k -lt $x.Length; $k++) { $reference += [double]$w[$r * $x.Length + $k] * $x[$k] }
    $worst = [math]::Max($worst, [math]::Abs($y.Values[$r] - $reference))
}
$y | Out-Default
"Largest difference from a float64 product of the dequantized weights: $worst"
if ($worst -gt 1e-4) { throw "The fused matvec disagrees with the dequantized weights by $worst." }

"`n== Done. The BF16 checkpoint is in: $Destination"
