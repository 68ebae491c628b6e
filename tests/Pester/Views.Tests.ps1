# The table views at 80 columns, the width of every redirected output and CI log, on records shaped like
# gpt-oss-20b's (sparse files: the headers are real, the data is never written).
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'SparseCheckpoint.ps1')

    $checkpoint = Join-Path $TestDrive 'gpt-oss-20b'
    $null = New-Item -ItemType Directory $checkpoint
    $experts = 'model.layers.23.mlp.experts'
    New-SparseSafetensors -Path (Join-Path $checkpoint 'model-00001-of-00002.safetensors') -Metadata @{ format = 'pt' } -Tensor @(
        New-Mxfp4Pair "$experts.gate_up_proj" 32 5760 2880
        @{ Name = "$experts.gate_up_proj_bias"; DType = 'BF16'; Shape = @(32, 5760) }
        New-Mxfp4Pair "$experts.down_proj" 32 2880 2880
    )
    New-SparseSafetensors -Path (Join-Path $checkpoint 'model-00002-of-00002.safetensors') -Metadata @{ format = 'pt' } -Tensor @(
        @{ Name = 'model.embed_tokens.weight'; DType = 'BF16'; Shape = @(201088, 2880) }
    )

    function Format-At80($InputObject) {
        $text = $InputObject | Out-String -Width 80
        @($text -split '\r?\n' | Where-Object Length -GT 80) | Should -BeNullOrEmpty
        $text | Should -Not -Match '…'   # nothing truncated
        $text
    }
}

Describe 'Table views at 80 columns' {
    It 'Get-SafetensorsHeader shows whole sizes' {
        $text = Format-At80 (Get-SafetensorsHeader $checkpoint)
        $text | Should -Match '\bDType\s+Shape\s+Size\s+Name\b'
        $text | Should -Match 'U8\s+\[32, 5760, 90, 16\]\s+253\.1 MiB\s+model\.layers\.23\.mlp\.experts\.'
        $text | Should -Match 'BF16\s+\[32, 5760\]\s+360\.0 KiB\s'
        $text | Should -Match 'U8\s+\[32, 2880, 90, 16\]\s+126\.6 MiB\s'
        $text | Should -Match 'BF16\s+\[201088, 2880\]\s+1\.1 GiB\s+model\.embed_tokens\.weight'
    }

    It 'Get-Mxfp4Tensor keeps its File column, whole file names and sizes' {
        $text = Format-At80 (Get-Mxfp4Tensor $checkpoint)
        $text | Should -Match '\bShape\s+Size\s+File\s+Name\b'
        $text | Should -Match '\[32, 5760, 2880\]\s+268\.9 MiB\s+model-00001-of-00002\.safetensors\s+model\.'
        $text | Should -Match '\[32, 2880, 2880\]\s+134\.5 MiB\s+model-00001-of-00002\.safetensors\s+model\.'
    }

    It 'the -Metadata view names the file of each entry, so two shards never give two identical rows' {
        $text = Format-At80 (Get-SafetensorsHeader $checkpoint -Metadata)
        $text | Should -Match '\bFile\s+Source\s+Key\s+Value\b'
        $rows = @($text -split '\r?\n' | Where-Object { $_ -match 'format' })
        $rows.Count | Should -Be 2
        $rows[0] | Should -Match '^model-00001-of-00002\.safetensors\s+Header\s+format\s+pt\s*$'
        $rows[1] | Should -Match '^model-00002-of-00002\.safetensors\s+Header\s+format\s+pt\s*$'
    }

    It 'the -Metadata view names the index for index metadata' {
        $text = Format-At80 (Get-SafetensorsHeader $sharded -Metadata)
        $text | Should -Match '(?m)^model\.safetensors\.index\.json\s+Index\s+total_size\s+\d+'
    }
}
