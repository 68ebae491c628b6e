# Shared setup for every Pester file: dot-source it from BeforeAll. Imports the staged module (output/Mxfp4) as
# users import it, and names the bundled sample checkpoints.
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
Import-Module (Join-Path $repo 'output' 'Mxfp4') -Force -ErrorAction Stop
$samples = Join-Path $repo 'samples'
$sharded = Join-Path $samples 'gpt-oss-tiny'
$original = Join-Path $samples 'gpt-oss-tiny-original'
