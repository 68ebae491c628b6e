# Every code example of the help runs, as written, in a fresh pwsh from the repository root: the module as a user
# imports it (its types in its own load context), nothing loaded by a test host beforehand.
BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '..' '..' 'docs' 'en-US'
    $pages = Get-ChildItem $docs -Filter '*.md' | Where-Object { $_.Name -match '^(about_|[A-Z][a-z]+-)' } | ForEach-Object {
        $examples = [regex]::Matches((Get-Content $_.FullName -Raw), '(?s)```powershell\r?\n(.*?)```') |
            ForEach-Object { $_.Groups[1].Value }
        @{ Page = $_.Name; Examples = @($examples) }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
}

Describe 'Help examples of <Page>' -ForEach $pages {
    It 'runs every example without an error' {
        # One child pwsh per page; each example in its own scope. Its error records and a terminating error that it
        # does not catch itself are collected; an example may show an error it catches (try/catch) on purpose.
        $runner = [System.Text.StringBuilder]::new()
        [void]$runner.AppendLine("Set-Location '$repo'; Import-Module '$(Join-Path $repo 'output' 'Mxfp4')'")
        for ($i = 0; $i -lt $Examples.Count; $i++) {
            $code = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Examples[$i]))
            [void]$runner.AppendLine(@"
`$failures = [System.Collections.Generic.List[object]]::new()
try {
    & ([scriptblock]::Create([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('$code')))) 2>&1 |
        ForEach-Object { if (`$_ -is [System.Management.Automation.ErrorRecord]) { `$failures.Add(`$_) } else { `$_ } } |
            Out-String | Out-Null
}
catch { `$failures.Add(`$_) }
'EXAMPLE $($i + 1): ' + ((`$failures | ForEach-Object { `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }) -join ' | ')
"@)
        }

        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($runner.ToString()))
        $output = & $pwsh -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object ToString
        $results = @($output | Where-Object { $_ -like 'EXAMPLE *' })
        $results.Count | Should -Be $Examples.Count -Because ($output -join "`n")
        $results | Should -Be @(1..$Examples.Count | ForEach-Object { "EXAMPLE ${_}: " })
    }
}
