BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $readme = Get-Content (Join-Path $repo 'README.md') -Raw
    $quickStart = [regex]::Match($readme, '(?s)## Quick start.*?```sh\r?\n(.*?)```').Groups[1].Value.Trim() -split '\r?\n'
}

Describe 'The quick start' {
    It 'has two commands: the demo and the tests, both through the pinned pwsh' {
        $quickStart | Should -Be @(
            'dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo'
            'dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test'
        )
    }

    It 'is what CI runs, verbatim' {
        Get-Content (Join-Path $repo '.ci' 'run') | Should -Contain $quickStart[1]
    }

    It 'pins pwsh 7.6.9 as a local dotnet tool' {
        $tools = Get-Content (Join-Path $repo '.config' 'dotnet-tools.json') -Raw | ConvertFrom-Json
        $tools.tools.powershell.version | Should -Be '7.6.9'
        $tools.tools.powershell.commands | Should -Be @('pwsh')
    }
}

Describe 'The source' {
    It 'keeps every line of *.cs and *.ps1 within 140 characters (the .editorconfig limit)' {
        # Build output, test results and generated files are not the repository's text.
        $skip = '[\\/](bin|obj|output|TestResults|\.git)[\\/]|\.g\.cs$|\.Designer\.cs$'
        $files = Get-ChildItem $repo -Recurse -File -Include *.cs, *.ps1 | Where-Object FullName -NotMatch $skip
        $files.Count | Should -BeGreaterThan 300
        $long = foreach ($file in $files) {
            $number = 0
            foreach ($line in [System.IO.File]::ReadLines($file.FullName)) {
                $number++
                if ($line.Length -gt 140) { '{0}:{1} ({2} characters)' -f $file.FullName, $number, $line.Length }
            }
        }
        $long | Should -BeNullOrEmpty
    }
}

Describe 'The demo' {
    It 'runs in a fresh pwsh, checks an expert against the spec, and removes everything it wrote' {
        $output = & $pwsh -NoProfile -NonInteractive -File (Join-Path $samples 'demo.ps1') 2>&1 | ForEach-Object ToString
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain '   model.layers.0.mlp.experts.down_proj expert 1: all 4096 elements bit-identical to the spec'
        $output | Where-Object { $_ -match 'dequantized to BF16 in memory: .* GB/s' } | Should -HaveCount 1
        $output | Where-Object { $_ -match 'W·x over all 32 experts, Exact: \d+ ms; Int8 .*: \d+ ms' } | Should -HaveCount 1
        $work = [regex]::Match(($output -join "`n"), 'everything written under (\S+) is removed').Groups[1].Value
        $work | Should -Not -BeNullOrEmpty
        $work | Should -Not -Exist
    }
}
