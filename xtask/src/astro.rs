//! Reading `legacyWebhookMap` out of `@wix/astro`'s integration bundle with SWC.
//!
//! At build time `@wix/astro` calls each event handler's `default()`, reads the SDK's webhook
//! slug from it and registers the extension under `legacyWebhookMap.get(slug) ?? slug`
//! (`build/integration/index.mjs`, function `getWebhookSlug`). That registered slug is what the
//! Wix dashboard shows and what "one handler per event" is about. The bundle writes the table as
//!
//! ```js
//! const legacyWebhookMap = new Map(Object.entries({
//!     AppInstalled: "APP_PROVISIONED_WEBHOOK",
//!     "wix.blog.v3.post_created": "wix.blog.post_created",
//! }));
//! ```
//!
//! [`legacy_webhook_map`] reads that object from the syntax tree (a `new Map([[k, v], ...])` is
//! read too); it never searches the text, and it fails rather than guess when the shape changes.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use swc_common::{FileName, SourceMap, sync::Lrc};
use swc_ecma_ast::{
    ArrayLit, Callee, Expr, ExprOrSpread, Lit, MemberProp, NewExpr, ObjectLit, Pat, Prop, PropName,
    PropOrSpread, VarDeclarator,
};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};
use swc_ecma_visit::{Visit, VisitWith};

/// The npm package of the Astro integration that registers event extensions.
pub const PACKAGE: &str = "@wix/astro";

/// The file of [`PACKAGE`] that holds `legacyWebhookMap`.
pub const BUNDLE: &str = "build/integration/index.mjs";

/// The name of the table in the bundle.
const MAP_NAME: &str = "legacyWebhookMap";

/// The SDK slug → registered slug table of the bundle `src` (`label` names it in errors).
///
/// # Errors
///
/// A parse error, no `const legacyWebhookMap`, a second one, or an initializer that is not
/// `new Map(Object.entries({ "<sdk slug>": "<registered slug>", ... }))` or
/// `new Map([["<sdk slug>", "<registered slug>"], ...])` with string keys and values only.
pub fn legacy_webhook_map(src: &str, label: &str) -> Result<BTreeMap<String, String>> {
    let cm: Lrc<SourceMap> = Default::default();
    let file = cm.new_source_file(Lrc::new(FileName::Custom(label.to_owned())), src.to_owned());
    let mut parser = Parser::new(
        Syntax::Es(EsSyntax::default()),
        StringInput::from(&*file),
        None,
    );
    let module = parser
        .parse_module()
        .map_err(|e| anyhow::anyhow!("{label}: parse error: {:?}", e.kind()))?;
    let mut finder = Finder::default();
    module.visit_with(&mut finder);
    let found = match finder.found.len() {
        1 => finder.found.remove(0),
        0 => bail!("{label}: no `const {MAP_NAME} = ...` (has @wix/astro moved its slug table?)"),
        n => bail!("{label}: `{MAP_NAME}` is declared {n} times"),
    };
    found.with_context(|| {
        format!(
            "{label}: `{MAP_NAME}` is not `new Map(Object.entries({{...}}))` of string pairs \
             (the shape @wix/astro 2.74.0 writes); read the bundle and update xtask/src/astro.rs"
        )
    })
}

/// The table of every declarator of a variable named [`MAP_NAME`], read where it is found.
#[derive(Default)]
struct Finder {
    found: Vec<Result<BTreeMap<String, String>>>,
}

impl Visit for Finder {
    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let Pat::Ident(binding) = &declarator.name
            && binding.id.sym == *MAP_NAME
        {
            self.found.push(match declarator.init.as_deref() {
                Some(init) => read_map(init),
                None => Err(anyhow::anyhow!("it has no initializer")),
            });
        }
        declarator.visit_children_with(self);
    }
}

/// `new Map(Object.entries({...}))` or `new Map([[k, v], ...])`.
fn read_map(init: &Expr) -> Result<BTreeMap<String, String>> {
    let Expr::New(NewExpr { callee, args, .. }) = unwrap_parens(init) else {
        bail!("not a `new` expression");
    };
    if !matches!(unwrap_parens(callee), Expr::Ident(id) if id.sym == *"Map") {
        bail!("not `new Map(...)`");
    }
    let [ExprOrSpread { spread: None, expr }] = args.as_deref().unwrap_or_default() else {
        bail!("`new Map` does not take exactly one argument");
    };
    match unwrap_parens(expr) {
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                bail!("the argument of `new Map` is not `Object.entries(...)`");
            };
            let is_entries = matches!(unwrap_parens(callee), Expr::Member(member)
                if matches!(unwrap_parens(&member.obj), Expr::Ident(id) if id.sym == *"Object")
                    && matches!(&member.prop, MemberProp::Ident(p) if p.sym == *"entries"));
            let [ExprOrSpread { spread: None, expr }] = &call.args[..] else {
                bail!("`Object.entries` does not take exactly one argument");
            };
            match (is_entries, unwrap_parens(expr)) {
                (true, Expr::Object(object)) => read_object(object),
                _ => bail!("the argument of `new Map` is not `Object.entries({{...}})`"),
            }
        }
        Expr::Array(array) => read_pairs(array),
        _ => bail!("the argument of `new Map` is neither `Object.entries({{...}})` nor an array"),
    }
}

fn read_object(object: &ObjectLit) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for prop in &object.props {
        let PropOrSpread::Prop(prop) = prop else {
            bail!("a spread in the object");
        };
        let Prop::KeyValue(kv) = &**prop else {
            bail!("a property that is not `key: value`");
        };
        let key = match &kv.key {
            PropName::Ident(ident) => ident.sym.to_string(),
            PropName::Str(s) => s.value.to_string_lossy().into_owned(),
            _ => bail!("a key that is not a name or a string"),
        };
        let value = string(&kv.value).with_context(|| format!("the value of `{key}`"))?;
        if map.insert(key.clone(), value).is_some() {
            bail!("`{key}` is listed twice");
        }
    }
    Ok(map)
}

fn read_pairs(array: &ArrayLit) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for element in &array.elems {
        let Some(ExprOrSpread { spread: None, expr }) = element else {
            bail!("a hole or a spread in the array");
        };
        let Expr::Array(pair) = unwrap_parens(expr) else {
            bail!("an element that is not a `[key, value]` pair");
        };
        let [Some(key), Some(value)] = &pair.elems[..] else {
            bail!("an element that is not a `[key, value]` pair");
        };
        let key = string(&key.expr)?;
        let value = string(&value.expr).with_context(|| format!("the value of `{key}`"))?;
        if map.insert(key.clone(), value).is_some() {
            bail!("`{key}` is listed twice");
        }
    }
    Ok(map)
}

fn string(expr: &Expr) -> Result<String> {
    match unwrap_parens(expr) {
        Expr::Lit(Lit::Str(s)) => Ok(s.value.to_string_lossy().into_owned()),
        Expr::Tpl(tpl) if tpl.exprs.is_empty() && tpl.quasis.len() == 1 => Ok(tpl.quasis[0]
            .cooked
            .as_ref()
            .map(|c| c.to_string_lossy().into_owned())
            .unwrap_or_else(|| tpl.quasis[0].raw.to_string())),
        _ => bail!("not a string literal"),
    }
}

fn unwrap_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(paren) => unwrap_parens(&paren.expr),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_object_form_with_names_and_strings_as_keys() {
        let src = r#"
const other = 1;
//#region ../astro-backend-extensions/src/utils/legacyWebhookMap.ts
const legacyWebhookMap = new Map(Object.entries({
	AppInstalled: "APP_PROVISIONED_WEBHOOK",
	"wix.blog.v3.post_created": "wix.blog.post_created",
}));
function getWebhookSlug(slug) { return legacyWebhookMap.get(slug) ?? slug; }
"#;
        let map = legacy_webhook_map(src, "bundle.mjs").unwrap();
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [
                ("AppInstalled".into(), "APP_PROVISIONED_WEBHOOK".into()),
                (
                    "wix.blog.v3.post_created".into(),
                    "wix.blog.post_created".into()
                ),
            ]
        );
    }

    #[test]
    fn reads_the_pairs_form() {
        let src = r#"export const legacyWebhookMap = new Map([["a", "b"], ['c', `d`]]);"#;
        let map = legacy_webhook_map(src, "bundle.mjs").unwrap();
        assert_eq!(map["a"], "b");
        assert_eq!(map["c"], "d");
    }

    #[test]
    fn refuses_to_guess() {
        let missing = legacy_webhook_map("const x = new Map();", "a.mjs").unwrap_err();
        assert!(
            missing.to_string().contains("no `const legacyWebhookMap"),
            "{missing}"
        );
        let computed = legacy_webhook_map(
            "const legacyWebhookMap = new Map(Object.entries({ a: b }));",
            "a.mjs",
        )
        .unwrap_err();
        assert!(
            format!("{computed:#}").contains("the value of `a`"),
            "{computed:#}"
        );
        let twice = legacy_webhook_map(
            "const legacyWebhookMap = new Map(Object.entries({ a: 'x', 'a': 'y' }));",
            "a.mjs",
        )
        .unwrap_err();
        assert!(
            format!("{twice:#}").contains("`a` is listed twice"),
            "{twice:#}"
        );
    }
}
