package templates

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

//conngen:if form

// encodeForm encodes a body struct (or map) as application/x-www-form-urlencoded.
// It goes through JSON so that json tags and omitempty decide the fields, then
// flattens: nested objects as key[sub]=v, arrays of objects as key[0][sub]=v,
// nulls left out. Arrays of scalars follow the spec's formArrays, since
// services disagree: "repeat" (key=a&key=b, Twilio), "brackets" (key[]=a) or
// "indexed" (key[0]=a, Stripe).
func encodeForm(v any, arrays string) ([]byte, error) {
	if vals, ok := v.(url.Values); ok {
		return []byte(vals.Encode()), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numbers as written, not as float64
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	form := url.Values{}
	switch tree.(type) {
	case nil:
	case map[string]any:
		flattenForm(form, "", tree, arrays)
	default:
		return nil, errors.New("form body must be an object")
	}
	return []byte(form.Encode()), nil // Encode sorts keys
}

func flattenForm(form url.Values, key string, v any, arrays string) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			if key != "" {
				k = key + "[" + k + "]"
			}
			flattenForm(form, k, sub, arrays)
		}
	case []any:
		for i, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				flattenForm(form, key+"["+strconv.Itoa(i)+"]", e, arrays)
			default:
				switch arrays {
				case "brackets":
					flattenForm(form, key+"[]", e, arrays)
				case "indexed":
					flattenForm(form, key+"["+strconv.Itoa(i)+"]", e, arrays)
				default:
					flattenForm(form, key, e, arrays)
				}
			}
		}
	case string:
		form.Add(key, v)
	case json.Number:
		form.Add(key, v.String())
	case bool:
		form.Add(key, strconv.FormatBool(v))
	}
}

//conngen:end

//conngen:if multipart

// encodeMultipart encodes a body struct (or map) as multipart/form-data.
// Fields are named by their json tags, with omitempty honoured and nil
// pointers left out; []byte and io.Reader fields become file parts named
// after the field, nested objects and arrays JSON text fields.
func encodeMultipart(v any) (body []byte, contentType string, err error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := writeMultipart(w, v); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// multipartBody is encodeMultipart's body, or, when a part is an io.Reader
// (a file), a pipe the parts are written into as the request is sent, so
// the file is never read into memory whole. The pipe is a one-shot reader:
// the request is sent once.
func multipartBody(v any) (body any, contentType string, err error) {
	if !hasReaderPart(v) {
		return encodeMultipart(v)
	}
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() { pw.CloseWithError(writeMultipart(w, v)) }()
	return pr, w.FormDataContentType(), nil
}

// hasReaderPart reports whether a field of struct v (or a value of map v)
// is a non-nil io.Reader.
func hasReaderPart(v any) bool {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return false
		}
		rv = rv.Elem()
	}
	var vals []reflect.Value
	switch rv.Kind() {
	case reflect.Struct:
		for i := range rv.NumField() {
			if rv.Type().Field(i).IsExported() {
				vals = append(vals, rv.Field(i))
			}
		}
	case reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			vals = append(vals, it.Value())
		}
	}
	for _, f := range vals {
		if (f.Kind() == reflect.Interface || f.Kind() == reflect.Pointer) && f.IsNil() {
			continue
		}
		if _, ok := f.Interface().(io.Reader); ok {
			return true
		}
	}
	return false
}

// writeMultipart writes v's parts to w and closes it.
func writeMultipart(w *multipart.Writer, v any) (err error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Invalid: // nil: an empty form
	case reflect.Struct:
		err = writeStructParts(w, rv)
	case reflect.Map:
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		for _, k := range keys {
			if err = writePart(w, fmt.Sprint(k), rv.MapIndex(k)); err != nil {
				break
			}
		}
	default:
		err = errors.New("multipart body must be a struct or a map")
	}
	if err != nil {
		return err
	}
	return w.Close()
}

func writeStructParts(w *multipart.Writer, rv reflect.Value) error {
	for i := range rv.NumField() {
		sf, fv := rv.Type().Field(i), rv.Field(i)
		tag := sf.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		if sf.Anonymous && name == "" && fv.Kind() == reflect.Struct {
			if err := writeStructParts(w, fv); err != nil {
				return err
			}
			continue
		}
		omit := strings.Contains(","+opts+",", ",omitempty,") && isEmptyValue(fv) ||
			strings.Contains(","+opts+",", ",omitzero,") && fv.IsZero()
		if omit {
			continue
		}
		if err := writePart(w, cmp.Or(name, sf.Name), fv); err != nil {
			return err
		}
	}
	return nil
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return v.IsZero() && v.Kind() != reflect.Struct
}

func writePart(w *multipart.Writer, name string, v reflect.Value) error {
	for {
		if !v.IsValid() || (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
			return nil // absent: no part, not "null"
		}
		switch x := v.Interface().(type) {
		case []byte:
			return writeFilePart(w, name, bytes.NewReader(x))
		case io.Reader:
			return writeFilePart(w, name, x)
		case time.Time:
			return w.WriteField(name, formatParam(x))
		}
		if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface {
			break
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
		data, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		return w.WriteField(name, string(data))
	}
	return w.WriteField(name, formatParam(v.Interface()))
}

func writeFilePart(w *multipart.Writer, name string, r io.Reader) error {
	part, err := w.CreateFormFile(name, name)
	if err == nil {
		_, err = io.Copy(part, r)
	}
	return err
}

//conngen:end
