<#
    A small stand-in for Pester 5, used only where real Pester cannot be installed (see DESIGN.md section 5).
    It accepts the Pester 5 subset the project's tests use and rejects what Pester 5 rejects:

      Describe / Context / It (-ForEach, -TestCases on It, -Skip, -Tag, <name> and <_> name templates),
      BeforeAll / AfterAll / BeforeEach / AfterEach (also at file level), $TestDrive, Set-ItResult -Skipped,
      Should with -Not and -Be -BeExactly -BeNullOrEmpty -BeTrue -BeFalse -BeGreaterThan -BeLessThan
      -BeGreaterOrEqual -BeLessOrEqual -BeLike -BeLikeExactly -Match -MatchExactly -Contain -BeIn -HaveCount
      -BeOfType -Exist -Throw (-ExpectedMessage, -ErrorId, -ExceptionType, -PassThru).

    Pester 5's two phases are kept: discovery runs the file and the Describe/Context bodies and collects the
    blocks; the run phase executes BeforeAll, then BeforeEach/It/AfterEach per test, then AfterAll. Test code
    runs in the caller's session state (Invoke-PesterCompatFile.ps1), never in this module's, and every block
    and test gets its own child scope there, so variables flow from BeforeAll to Its as in Pester.
#>

Set-StrictMode -Version 3.0

$script:State = $null

. ([System.IO.Path]::Combine($PSScriptRoot, 'Should.ps1'))

function New-PcBlock {
    param([string] $Name, [string] $Kind, $Parent, $Data, [bool] $HasData, [bool] $Skip, [string[]] $Tag)
    [pscustomobject]@{
        Name       = $Name
        Kind       = $Kind
        Parent     = $Parent
        Data       = $Data
        HasData    = $HasData
        Skip       = $Skip
        Tag        = $Tag
        Items      = [System.Collections.Generic.List[object]]::new()
        BeforeAll  = [System.Collections.Generic.List[scriptblock]]::new()
        AfterAll   = [System.Collections.Generic.List[scriptblock]]::new()
        BeforeEach = [System.Collections.Generic.List[scriptblock]]::new()
        AfterEach  = [System.Collections.Generic.List[scriptblock]]::new()
    }
}

function Get-PcPath {
    param($Item)
    $names = [System.Collections.Generic.List[string]]::new()
    for ($node = $Item; $null -ne $node -and $node.Kind -ne 'Root'; $node = $node.Parent) {
        $names.Insert(0, $node.Name)
    }
    , $names.ToArray()
}

function Assert-PcDiscovery {
    param([string] $Command)
    if ($null -eq $script:State) {
        throw "$Command can only be used in a test file run by Invoke-PesterCompatFile.ps1 (Pester 5 semantics)."
    }
    if ($script:State.Phase -ne 'Discovery') {
        throw "$Command cannot be called inside It, BeforeAll, BeforeEach, AfterEach or AfterAll: blocks and tests are only collected during discovery."
    }
}

function Set-PcDataVariable {
    # Makes a -ForEach item visible the way Pester 5 does: $_ is the item, a dictionary's keys become variables.
    param($Data)
    $sessionState = $script:State.TestSessionState
    $sessionState.PSVariable.Set('_', $Data)
    if ($Data -is [System.Collections.IDictionary]) {
        foreach ($key in $Data.Keys) {
            $sessionState.PSVariable.Set([string] $key, $Data[$key])
        }
    }
}

function Resolve-PcTemplateValue {
    param([string] $Token, $Item)
    $segments = $Token.Split('.')
    $found = $false
    $value = $null
    for ($node = $Item; $null -ne $node; $node = $node.Parent) {
        if (-not $node.HasData) { continue }
        if ($segments[0] -eq '_') {
            $value = $node.Data; $found = $true; break
        }
        if ($node.Data -is [System.Collections.IDictionary] -and $node.Data.Contains($segments[0])) {
            $value = $node.Data[$segments[0]]; $found = $true; break
        }
    }
    if (-not $found) { return '' }
    for ($index = 1; $index -lt $segments.Length -and $null -ne $value; $index++) {
        $value = $value.($segments[$index])
    }
    "$value"
}

function Expand-PcName {
    # "<name>" and "<_>" in block and test names take values from the item's and its parents' -ForEach data.
    param([string] $Template, $Item)
    $hasData = $false
    for ($node = $Item; $null -ne $node; $node = $node.Parent) { if ($node.HasData) { $hasData = $true } }
    if (-not $hasData) { return $Template }
    [regex]::Replace($Template, '<([^<>\s]+)>', { param($match) Resolve-PcTemplateValue -Token $match.Groups[1].Value -Item $Item })
}

function Get-PcDataItems {
    param([bool] $HasForEach, $ForEach)
    if (-not $HasForEach) { return , @([pscustomobject]@{ HasData = $false; Data = $null }) }
    $items = foreach ($entry in @($ForEach)) { [pscustomobject]@{ HasData = $true; Data = $entry } }
    , @($items)
}

function Add-PcBlock {
    param([string] $Kind, [string] $Name, [scriptblock] $Fixture, [bool] $Skip, [string[]] $Tag, [bool] $HasForEach, $ForEach)
    Assert-PcDiscovery -Command $Kind
    if ($null -eq $Fixture) {
        throw "No test script block is provided. (Have you put the open curly brace on the next line?)"
    }
    $parent = $script:State.Current
    foreach ($entry in (Get-PcDataItems -HasForEach $HasForEach -ForEach $ForEach)) {
        $block = New-PcBlock -Name $Name -Kind $Kind -Parent $parent -Data $entry.Data -HasData $entry.HasData -Skip $Skip -Tag $Tag
        $block.Name = Expand-PcName -Template $Name -Item $block
        $parent.Items.Add($block)
        $script:State.Current = $block
        try {
            & $script:State.TestScope {
                if ($block.HasData) { Set-PcDataVariable -Data $block.Data }
                $null = & $Fixture
            }
        }
        finally {
            $script:State.Current = $parent
        }
    }
}

function Describe {
    param(
        [Parameter(Mandatory = $true, Position = 0)] [string] $Name,
        [Alias('Tags')] [string[]] $Tag = @(),
        [Parameter(Position = 1)] [scriptblock] $Fixture,
        [switch] $Skip,
        [object] $ForEach
    )
    Add-PcBlock -Kind 'Describe' -Name $Name -Fixture $Fixture -Skip $Skip.IsPresent -Tag $Tag -HasForEach $PSBoundParameters.ContainsKey('ForEach') -ForEach $ForEach
}

function Context {
    param(
        [Parameter(Mandatory = $true, Position = 0)] [string] $Name,
        [Alias('Tags')] [string[]] $Tag = @(),
        [Parameter(Position = 1)] [scriptblock] $Fixture,
        [switch] $Skip,
        [object] $ForEach
    )
    Add-PcBlock -Kind 'Context' -Name $Name -Fixture $Fixture -Skip $Skip.IsPresent -Tag $Tag -HasForEach $PSBoundParameters.ContainsKey('ForEach') -ForEach $ForEach
}

function It {
    param(
        [Parameter(Mandatory = $true, Position = 0)] [string] $Name,
        [Parameter(Position = 1)] [scriptblock] $Test,
        [Alias('TestCases')] [object[]] $ForEach,
        [Alias('Tags')] [string[]] $Tag = @(),
        [switch] $Skip
    )
    Assert-PcDiscovery -Command 'It'
    $parent = $script:State.Current
    if ($parent.Kind -eq 'Root') {
        throw "It '$Name' is outside any Describe or Context: Pester 5 only allows tests inside a Describe or Context block."
    }
    if ($null -eq $Test) {
        throw "No test script block is provided. (Have you put the open curly brace on the next line?)"
    }
    foreach ($entry in (Get-PcDataItems -HasForEach $PSBoundParameters.ContainsKey('ForEach') -ForEach $ForEach)) {
        $testItem = [pscustomobject]@{
            Name        = $Name
            Kind        = 'It'
            Parent      = $parent
            Data        = $entry.Data
            HasData     = $entry.HasData
            Skip        = $Skip.IsPresent
            Tag         = $Tag
            ScriptBlock = $Test
        }
        $testItem.Name = Expand-PcName -Template $Name -Item $testItem
        $parent.Items.Add($testItem)
    }
}

function Add-PcSetup {
    param([string] $Kind, [scriptblock] $ScriptBlock)
    Assert-PcDiscovery -Command $Kind
    $script:State.Current.$Kind.Add($ScriptBlock)
}

function BeforeAll {
    param([Parameter(Mandatory = $true, Position = 0)] [scriptblock] $Scriptblock)
    Add-PcSetup -Kind 'BeforeAll' -ScriptBlock $Scriptblock
}

function AfterAll {
    param([Parameter(Mandatory = $true, Position = 0)] [scriptblock] $Scriptblock)
    Add-PcSetup -Kind 'AfterAll' -ScriptBlock $Scriptblock
}

function BeforeEach {
    param([Parameter(Mandatory = $true, Position = 0)] [scriptblock] $Scriptblock)
    Add-PcSetup -Kind 'BeforeEach' -ScriptBlock $Scriptblock
}

function AfterEach {
    param([Parameter(Mandatory = $true, Position = 0)] [scriptblock] $Scriptblock)
    Add-PcSetup -Kind 'AfterEach' -ScriptBlock $Scriptblock
}

function Set-ItResult {
    param(
        [Parameter(Mandatory = $true)] [switch] $Skipped,
        [string] $Because
    )
    if ($null -eq $script:State -or $null -eq $script:State.CurrentTest) {
        throw 'Set-ItResult can only be used inside It.'
    }
    $reason = if ($Because) { "is skipped, because $Because" } else { 'is skipped' }
    $record = [System.Management.Automation.ErrorRecord]::new([System.Exception]::new($reason), 'PesterTestSkipped', 'NotSpecified', $null)
    $PSCmdlet.ThrowTerminatingError($record)
}

#region run phase

function Get-PcTestCount {
    param($Block)
    $count = 0
    foreach ($item in $Block.Items) {
        $count += if ($item.Kind -eq 'It') { 1 } else { Get-PcTestCount -Block $item }
    }
    $count
}

function Add-PcResult {
    param($Test, [string] $Result, [string] $Message, $ErrorRecord)
    $position = ''
    $errorId = ''
    $stack = ''
    if ($null -ne $ErrorRecord) {
        $errorId = $ErrorRecord.FullyQualifiedErrorId
        if ($null -ne $ErrorRecord.InvocationInfo) { $position = $ErrorRecord.InvocationInfo.PositionMessage }
        # Like Pester, show only the frames of test code, not the runner's own.
        $stack = (@($ErrorRecord.ScriptStackTrace -split '\r?\n') | Where-Object { $_ -notlike "*$PSScriptRoot*" }) -join "`n"
    }
    $script:State.Results.Add([pscustomobject]@{
            PSTypeName       = 'PesterCompat.TestResult'
            Name             = (Get-PcPath -Item $Test) -join ' > '
            Path             = Get-PcPath -Item $Test
            Result           = $Result
            Message          = $Message
            ErrorId          = $errorId
            Position         = $position
            ScriptStackTrace = $stack
        })
}

function Add-PcSkippedTests {
    param($Block, [string] $Result, [string] $Message, $ErrorRecord)
    foreach ($item in $Block.Items) {
        if ($item.Kind -eq 'It') { Add-PcResult -Test $item -Result $Result -Message $Message -ErrorRecord $ErrorRecord }
        else { Add-PcSkippedTests -Block $item -Result $Result -Message $Message -ErrorRecord $ErrorRecord }
    }
}

function Add-PcContainerError {
    param($Block, [string] $Phase, $ErrorRecord)
    $where = (Get-PcPath -Item $Block) -join ' > '
    if (-not $where) { $where = '<file>' }
    $position = if ($null -ne $ErrorRecord.InvocationInfo) { [Environment]::NewLine + $ErrorRecord.InvocationInfo.PositionMessage } else { '' }
    $script:State.ContainerErrors.Add("$Phase in '$where' failed: $($ErrorRecord.Exception.Message)$position")
}

function Get-PcSetupChain {
    # BeforeEach runs outermost first, AfterEach innermost first, as in Pester.
    param($Block, [string] $Kind)
    $chain = [System.Collections.Generic.List[scriptblock]]::new()
    for ($node = $Block; $null -ne $node; $node = $node.Parent) {
        $chain.InsertRange(0, $node.$Kind)
    }
    if ($Kind -eq 'AfterEach') { $chain.Reverse() }
    , $chain.ToArray()
}

function Invoke-PcTest {
    param($Test)
    if ($Test.Skip) {
        Add-PcResult -Test $Test -Result 'Skipped' -Message 'is skipped'
        return
    }
    $beforeEach = Get-PcSetupChain -Block $Test.Parent -Kind 'BeforeEach'
    $afterEach = Get-PcSetupChain -Block $Test.Parent -Kind 'AfterEach'
    $outcome = & $script:State.TestScope {
        $failure = $null
        $skipped = $null
        $script:State.CurrentTest = $Test
        try {
            if ($Test.HasData) { Set-PcDataVariable -Data $Test.Data }
            foreach ($setup in $beforeEach) { $null = . $setup }
            $null = . $Test.ScriptBlock
        }
        catch {
            if ($_.FullyQualifiedErrorId -like 'PesterTestSkipped*') { $skipped = $_ } else { $failure = $_ }
        }
        foreach ($teardown in $afterEach) {
            try { $null = . $teardown }
            catch { if ($null -eq $failure) { $failure = $_ } }
        }
        $script:State.CurrentTest = $null
        [pscustomobject]@{ Failure = $failure; Skipped = $skipped }
    }
    if ($null -ne $outcome.Failure) {
        Add-PcResult -Test $Test -Result 'Failed' -Message $outcome.Failure.Exception.Message -ErrorRecord $outcome.Failure
    }
    elseif ($null -ne $outcome.Skipped) {
        Add-PcResult -Test $Test -Result 'Skipped' -Message $outcome.Skipped.Exception.Message
    }
    else {
        Add-PcResult -Test $Test -Result 'Passed' -Message ''
    }
}

function Invoke-PcBlock {
    param($Block)
    if ($Block.Skip) {
        Add-PcSkippedTests -Block $Block -Result 'Skipped' -Message 'is skipped'
        return
    }
    # Pester skips the setup of blocks that hold no tests.
    if ((Get-PcTestCount -Block $Block) -eq 0) { return }

    $testDrive = $null
    if ($Block.Kind -ne 'Root' -and $Block.Parent.Kind -eq 'Root') {
        $testDrive = [System.IO.Directory]::CreateTempSubdirectory('PesterCompat-TestDrive-').FullName
    }
    try {
        & $script:State.TestScope {
            if ($null -ne $testDrive) { $script:State.TestSessionState.PSVariable.Set('TestDrive', $testDrive) }
            if ($Block.HasData) { Set-PcDataVariable -Data $Block.Data }
            $setupFailure = $null
            try {
                foreach ($setup in $Block.BeforeAll) { $null = . $setup }
            }
            catch {
                $setupFailure = $_
            }
            if ($null -ne $setupFailure) {
                Add-PcSkippedTests -Block $Block -Result 'Failed' -Message "BeforeAll failed: $($setupFailure.Exception.Message)" -ErrorRecord $setupFailure
            }
            else {
                foreach ($item in $Block.Items) {
                    if ($item.Kind -eq 'It') { Invoke-PcTest -Test $item } else { Invoke-PcBlock -Block $item }
                }
            }
            foreach ($teardown in $Block.AfterAll) {
                try { $null = . $teardown }
                catch { Add-PcContainerError -Block $Block -Phase 'AfterAll' -ErrorRecord $_ }
            }
        }
    }
    finally {
        if ($null -ne $testDrive) { [System.IO.Directory]::Delete($testDrive, $true) }
    }
}

#endregion

function Invoke-PesterCompatContainer {
    <#
        Runs one test file in both phases. TestScope must be "{ param($__pcThen) & $__pcThen }" created in the
        session state the test file runs in: invoking it opens a child scope there, which is how blocks and tests
        get Pester's nested scopes while this module drives them.
    #>
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [scriptblock] $Discover,
        [Parameter(Mandatory = $true)] [scriptblock] $TestScope,
        [Parameter(Mandatory = $true)] [System.Management.Automation.SessionState] $TestSessionState
    )
    $root = New-PcBlock -Name $Path -Kind 'Root' -Parent $null -Data $null -HasData $false -Skip $false -Tag @()
    $script:State = [pscustomobject]@{
        Phase            = 'Discovery'
        Root             = $root
        Current          = $root
        CurrentTest      = $null
        TestScope        = $TestScope
        TestSessionState = $TestSessionState
        Results          = [System.Collections.Generic.List[object]]::new()
        ContainerErrors  = [System.Collections.Generic.List[string]]::new()
    }
    try {
        $discovered = $false
        try {
            & $Discover
            $discovered = $true
        }
        catch {
            Add-PcContainerError -Block $root -Phase 'Discovery' -ErrorRecord $_
        }
        if ($discovered) {
            $script:State.Phase = 'Run'
            Invoke-PcBlock -Block $root
        }
        [pscustomobject]@{
            PSTypeName      = 'PesterCompat.ContainerResult'
            Path            = $Path
            Tests           = $script:State.Results.ToArray()
            ContainerErrors = $script:State.ContainerErrors.ToArray()
        }
    }
    finally {
        $script:State = $null
    }
}

Export-ModuleMember -Function Describe, Context, It, BeforeAll, AfterAll, BeforeEach, AfterEach, Should, Set-ItResult, Invoke-PesterCompatContainer
