# Progress as a host sees it: each long-running cmdlet runs in its own [powershell] whose Streams.Progress collects
# every record it writes (a record written from another thread than the pipeline's would fail the cmdlet instead).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'SparseCheckpoint.ps1')

    $module = (Get-Module Mxfp4).Path
    $large = Join-Path $TestDrive 'large.safetensors'   # 32 experts, 64 Mi elements: 256 MiB as F32
    New-SparseSafetensors -Path $large -Tensor (New-Mxfp4Pair 'w' 32 2048 1024)
    $small = Join-Path $TestDrive 'small'               # 8 experts, 16 Mi elements
    $null = New-Item -ItemType Directory $small
    New-SparseSafetensors -Path (Join-Path $small 'model.safetensors') -Metadata @{ format = 'pt' } -Tensor (New-Mxfp4Pair 'w' 8 2048 1024)

    function Invoke-Hosted([string] $Script, [hashtable] $Parameters = @{}) {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("param(`$p) Import-Module '$module'; $Script").AddArgument($Parameters)
            $output = $shell.Invoke()
            [pscustomobject]@{ Output = $output; Errors = @($shell.Streams.Error); Progress = @($shell.Streams.Progress) }
        }
        finally {
            $shell.Dispose()
        }
    }

    # One activity's records: Processing ones whose percentage never falls, then exactly one Completed at the end.
    function Assert-Progress($Result, [string] $Activity) {
        $Result.Errors | Should -BeNullOrEmpty
        $records = @($Result.Progress | Where-Object Activity -Like $Activity)
        $records.Count | Should -BeGreaterOrEqual 2
        $processing = @($records | Select-Object -SkipLast 1)
        ($processing.RecordType | Sort-Object -Unique) | Should -Be 'Processing'
        $processing[0].PercentComplete | Should -Be 0
        $percents = $processing.PercentComplete
        ($percents -join ',') | Should -Be (($percents | Sort-Object) -join ',')
        $records[-1].RecordType | Should -Be 'Completed'
        $records[-1].PercentComplete | Should -Be 100
        $records
    }
}

Describe 'Progress' {
    It 'ConvertFrom-Mxfp4 into memory reports progress from 0 to Completed' {
        $r = Invoke-Hosted 'Get-Mxfp4Tensor $p.Path | ConvertFrom-Mxfp4 | ForEach-Object { $_.Data.Length }' @{ Path = $small }
        $r.Output | Should -Be (8 * 2048 * 1024)
        $null = Assert-Progress $r 'Dequantizing w to F32'
    }

    It 'ConvertFrom-Mxfp4 -OutFile reports progress' {
        $out = Join-Path $TestDrive 'w.bin'
        $r = Invoke-Hosted 'Get-Mxfp4Tensor $p.Path | ConvertFrom-Mxfp4 -Format BF16 -OutFile $p.Out' @{ Path = $small; Out = $out }
        (Get-Item $out).Length | Should -Be (8 * 2048 * 1024 * 2)
        $null = Assert-Progress $r 'Dequantizing w to BF16'
    }

    It 'ConvertFrom-Mxfp4 -Destination reports the conversion and its shard' {
        $destination = Join-Path $TestDrive 'small-bf16'
        $r = Invoke-Hosted 'ConvertFrom-Mxfp4 -Path $p.Path -Destination $p.Destination' @{ Path = $small; Destination = $destination }
        Test-Path (Join-Path $destination 'model.safetensors') | Should -BeTrue
        $overall = Assert-Progress $r 'Converting * to BF16'
        $overall[0].ActivityId | Should -Be 2
        $shard = @($r.Progress | Where-Object ActivityId -EQ 3)
        $shard.Count | Should -BeGreaterOrEqual 2
        $shard[0].ParentActivityId | Should -Be 2
        $shard[-1].RecordType | Should -Be 'Completed'
    }

    It 'ConvertFrom-Mxfp4 -AsByteStream reports progress, at most four records a second' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-Hosted 'Get-Mxfp4Tensor $p.Path | ConvertFrom-Mxfp4 -AsByteStream | Measure-Object | ForEach-Object Count' @{
            Path = $large }
        $seconds = $clock.Elapsed.TotalSeconds
        $r.Output | Should -Be 64   # 256 MiB of F32 in 4 MiB chunks: unthrottled, 66 records
        $records = Assert-Progress $r 'Dequantizing w to F32'
        $records.Count | Should -BeLessOrEqual ([Math]::Min(63, 2 + [Math]::Ceiling($seconds * 4)))
    }

    It 'Invoke-Mxfp4MatVec reports progress over the experts' {
        $r = Invoke-Hosted (
            'Get-Mxfp4Tensor $p.Path | Invoke-Mxfp4MatVec -Vector ([float[]]::new(1024)) | Measure-Object | ForEach-Object Count') @{
            Path = $large }
        $r.Output | Should -Be 32
        $records = Assert-Progress $r 'Multiplying w (Exact)'
        $records[0].StatusDescription | Should -Be '0 of 32 matrices'
    }

    It 'a small tensor still shows where it started and clears its bar' {
        $r = Invoke-Hosted 'Get-Mxfp4Tensor $p.Path -Name *layers.0*down_proj | ConvertFrom-Mxfp4 -Expert 0 | Out-Null' @{ Path = $sharded }
        $records = Assert-Progress $r 'Dequantizing model.layers.0.mlp.experts.down_proj to F32'
        $records.Count | Should -Be 2
    }
}
