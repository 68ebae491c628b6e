# Shared setup for every Pester file: dot-source it from BeforeAll. Imports the staged module (output/Mxfp4) as
# users import it, and names the bundled sample checkpoints.
$script:repo = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
Import-Module (Join-Path $repo 'output' 'Mxfp4') -Force -ErrorAction Stop
$script:samples = Join-Path $repo 'samples'
$script:sharded = Join-Path $samples 'gpt-oss-tiny'
$script:original = Join-Path $samples 'gpt-oss-tiny-original'
